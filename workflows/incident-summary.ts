/** The plain-words outcome of an incident, written to its ticket and returned by the workflow. */
import type { AssetState, Phase } from '../domain/incident.js';
import type { CancelRequest } from './definitions.js';
import type { IncidentTracker } from './incident-tracker.js';

export interface SummaryInput {
  incident: IncidentTracker;
  outcome: Extract<Phase, 'completed' | 'cancelled' | 'failed'>;
  cancelRequest: CancelRequest | null;
  /** The error that failed the incident, if one did. */
  failure: unknown;
}

export function summarizeIncident({ incident, outcome, cancelRequest, failure }: SummaryInput): string {
  const cves = incident.cves.map((assessment) => assessment.cve).join(', ') || 'none enriched';
  const status = incident.status();

  if (outcome === 'cancelled') {
    const by = cancelRequest ? `by ${cancelRequest.principal}: ${cancelRequest.reason}` : 'by a workflow cancellation';
    return `Cancelled ${by}. CVEs: ${cves}. Asset states: ${countStates(status.assets.map((asset) => asset.state))}.`;
  }
  if (failure !== null) {
    return `Failed: ${(failure as Error).message}. CVEs: ${cves}.`;
  }
  if (status.assets.length === 0) {
    return `No asset in scope for ${cves}; nothing to remediate.`;
  }

  const unresolved = incident.unresolvedAssets();
  if (unresolved.length === 0) {
    return `All ${plural(status.assets.length, 'asset')} remediated, excepted or contained (${countStates(
      status.assets.map((asset) => asset.state),
    )}). CVEs: ${cves}.`;
  }
  const listed = unresolved.map((asset) => `${asset.hostname} (${asset.state})`).join(', ');
  return `${unresolved.length} of ${plural(status.assets.length, 'asset')} not remediated: ${listed}. CVEs: ${cves}.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Counts such as "2 patched, 1 exception_approved", in a stable order. */
function countStates(states: AssetState[]): string {
  const counts = new Map<AssetState, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const parts = [...counts.entries()]
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([state, count]) => `${count} ${state}`);
  return parts.join(', ') || 'none';
}

/** Orders by UTF-16 code units; `localeCompare` would depend on the ICU data of the Node build. */
function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
