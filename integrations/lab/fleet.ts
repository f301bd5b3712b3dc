/**
 * The simulated fleet behind every `lab` adapter. It makes no network calls: a
 * host's state (installed patches, containment, mitigations, messages sent) lives
 * in the `lab_*` tables, so it survives worker restarts as a real host would.
 * Faults come from the policy file and are matched by hostname, FQDN, IP or asset id.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/client.js';
import type { LabFaults } from '../../domain/policy.js';

export interface LabHost {
  assetId: string;
  hostname: string;
  ip: string | null;
}

function names(host: LabHost): string[] {
  const hostname = host.hostname.toLowerCase();
  const short = hostname.split('.')[0] ?? hostname;
  return [host.assetId.toLowerCase(), hostname, short, ...(host.ip ? [host.ip] : [])];
}

export class LabFleet {
  constructor(
    readonly database: Database,
    readonly faults: LabFaults,
  ) {}

  /** True when any entry of `list` names the host. */
  listed(list: readonly string[], host: LabHost): boolean {
    const known = names(host);
    return list.some((entry) => known.includes(entry.toLowerCase()));
  }

  /** Returns a stable id for a simulated object, the same for the same seed and inputs. */
  stableId(prefix: string, ...parts: string[]): string {
    const digest = createHash('sha256').update([this.faults.seed, ...parts].join('\u0000')).digest('hex');
    return `${prefix}-${digest.slice(0, 12)}`;
  }

  lacksPatch(host: LabHost, cves: string[]): boolean {
    return this.faults.noPatch.some(
      (entry) => this.listed([entry.host], host) && (entry.cves.length === 0 || entry.cves.some((cve) => cves.includes(cve))),
    );
  }

  async recordMessage(input: { channel: string; recipient: string; subject: string; body: string }): Promise<void> {
    await this.database.query('INSERT INTO lab_messages (channel, recipient, subject, body) VALUES ($1, $2, $3, $4)', [
      input.channel,
      input.recipient,
      input.subject,
      input.body,
    ]);
  }
}
