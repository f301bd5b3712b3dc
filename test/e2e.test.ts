/**
 * End to end on real components: the Temporal dev server, PostgreSQL, the worker
 * and the API in this process, the lab fleet with injected faults, and the real
 * KEV, EPSS and Nessus files. Durations are seconds so the SLA clock moves.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../config/policy.js';
import { createApiKey } from '../db/keys.js';
import { phaseSearchAttribute } from '../workflows/definitions.js';
import { findTemporalCli } from '../workers/temporal-cli.js';
import type { DevServer } from '../workers/dev-server.js';
import { startTestTemporal } from './dev-temporal.js';
import { TestApi } from './http.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { sharedDataPath } from './shared-data.js';
import { startTestApi, startTestWorker, type TestApiServer, type TestWorker } from './stack-harness.js';

const run = promisify(execFile);

const NESSUS_FILES = [
  'dd_nessus_many_vuln.nessus',
  'dd_nessus_v_unknown.nessus',
  'dd_nessus_with_cvssv3.nessus',
  'libnessus_report_local_3.nessus',
  'libnessus_report_test_local.nessus',
  'mitre-saf_sample.nessus',
  'ruby-nessus_example_v2.nessus',
];

// CVE-2012-1823 is the one KEV entry these scans report (on testphp.vulnweb.com);
// CVE-1999-0524 is on five hosts across three files. Counted with a python
// ElementTree pass over every ReportItem/cve of the well-formed .nessus files.
const INCIDENT_CVES = ['CVE-2012-1823', 'CVE-1999-0524'];

const policy = parsePolicy({
  sla: { P1: '40s', P2: '16s', P3: '60s', P4: '120s' },
  escalation: { fractions: [0.5, 0.75, 1], chain: ['patch-operations', 'security-lead', 'ciso'] },
  rollout: { canaryFraction: 0.2, failureThreshold: 0.5, maxParallel: 2 },
  exceptions: { reminderAfter: '2s', escalateAfter: '4s', decisionTimeout: '120s', validFor: '1 day' },
  lab: {
    seed: 7,
    deployFails: ['testphp.vulnweb.com'],
    edrDetection: ['snorby.org'],
    changeFreeze: ['192.168.1.1'],
  },
});

describe('emergency patch end to end', () => {
  let testDb: TestDatabase;
  let temporal: DevServer;
  let worker: TestWorker;
  let apiServer: TestApiServer;
  let client: Client;
  let api: TestApi;
  let analystKey: string;
  let approverKey: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    temporal = await startTestTemporal();
    worker = await startTestWorker({ address: temporal.address, database: testDb.database, policy });
    apiServer = await startTestApi({ address: temporal.address, database: testDb.database, policy });
    client = apiServer.client;

    // The analyst also has the approver role, so segregation of duties is what stops her.
    analystKey = (await createApiKey(testDb.database, { principal: 'alice', roles: ['soc_analyst', 'approver'], createdBy: 'test' })).key;
    approverKey = (await createApiKey(testDb.database, { principal: 'bob', roles: ['approver'], createdBy: 'test' })).key;
    api = new TestApi(apiServer.url, analystKey);
  });

  afterAll(async () => {
    await apiServer?.stop();
    await worker?.stop();
    await temporal?.stop();
    await testDb?.drop();
  });

  it('imports the real KEV, EPSS and Nessus files', async () => {
    const kev = await api.upload('kev', sharedDataPath('intel/kev/known_exploited_vulnerabilities.json'));
    expect(kev.status).toBe(200);
    expect(kev.body.counts.entries).toBe(1404);

    const epss = await api.upload('epss', sharedDataPath('intel/epss/epss_fullset_emba_2026-08-16_semicolon.csv'));
    expect(epss.status).toBe(200);
    expect(epss.body.counts).toMatchObject({ scoreDate: '2026-08-16', rows: 360142 });

    for (const file of NESSUS_FILES) {
      const scan = await api.upload('findings', sharedDataPath('scanners/nessus', file));
      expect(scan.status, `${file}: ${JSON.stringify(scan.body)}`).toBe(200);
    }
  });

  it('carries an incident to completion', async () => {
    const created = await api.send('POST', '/api/incidents', {
      source: 'servicenow',
      ticketId: 'INC0042',
      title: 'PHP-CGI argument injection exploited',
      cves: INCIDENT_CVES,
      reportedBy: 'soc-tier1',
    });
    expect(created.status).toBe(202);
    const { incidentId, workflowId } = created.body;

    const repeat = await api.send('POST', '/api/incidents', {
      source: 'servicenow',
      ticketId: 'INC0042',
      title: 'PHP-CGI argument injection exploited',
      cves: INCIDENT_CVES,
      reportedBy: 'soc-tier1',
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ incidentId, workflowId, addedCves: [] });

    const exception = await waitFor(async () => {
      const listed = await api.send('GET', '/api/exceptions?status=pending');
      return listed.body.exceptions[0];
    }, 60_000);
    expect(exception.hostname).toBe('192.168.1.1');

    // Let the P2 CVE's 50% notice fire (8 s into a 16 s window) before approving.
    await waitFor(async () => (await testDb.database.query(`SELECT 1 FROM escalations WHERE fraction = 0.5`)).length > 0 || undefined, 30_000);

    const byRequester = await api.send('POST', `/api/exceptions/${exception.id}/decision`, { decision: 'approve', comment: 'self-approval' });
    expect(byRequester.status).toBe(403);
    expect(byRequester.body.title).toBe('Segregation of duties');

    const byApprover = await api.as(approverKey).send('POST', `/api/exceptions/${exception.id}/decision`, {
      decision: 'approve',
      comment: 'Freeze ends Friday; WAF rule covers CVE-2012-1823 meanwhile',
    });
    expect(byApprover.status).toBe(200);
    expect(byApprover.body.status).toBe('approved');

    await client.workflow.getHandle(workflowId).result();

    const detail = await api.send('GET', `/api/incidents/${incidentId}`);
    // One host stays unpatched (its deploy fails), so the incident closes as failed.
    expect(detail.body.phase).toBe('failed');
    expect(detail.body.summary).toMatch(/testphp\.vulnweb\.com/);
    expect(detail.body.priority).toBe('P1');

    const states = Object.fromEntries(detail.body.assets.map((asset: any) => [asset.hostname, `${asset.action}:${asset.state}`]));
    expect(states['192.168.1.1']).toBe('exception:exception_approved');
    // A host with an EDR detection is contained first, then patched like the rest.
    expect(states['snorby.org']).toBe('quarantine:patched');
    const contained = await testDb.database.query(`SELECT q.state FROM quarantines q JOIN assets a ON a.id = q.asset_id WHERE a.hostname = 'snorby.org'`);
    expect(contained).toEqual([{ state: 'contained' }]);
    expect(states['testphp.vulnweb.com']).toBe('patch:failed');
    expect(states['setup.ubnt.com']).toBe('patch:patched');
    expect(detail.body.assets).toHaveLength(5);

    const kevCve = detail.body.cves.find((cve: any) => cve.cve === 'CVE-2012-1823');
    expect(kevCve).toMatchObject({ kev: true, priority: 'P1', pastCisaDueDate: true, kevDueDate: '2022-04-15' });

    const escalations = detail.body.escalations.map((notice: any) => `${notice.cve}@${notice.fraction}:${notice.reason}`);
    expect(escalations).toContain('CVE-2012-1823@1:past-cisa-due-date');
    expect(escalations).toContain('CVE-1999-0524@0.5:threshold');
    expect(escalations.filter((entry: string) => entry.startsWith('CVE-2012-1823'))).toHaveLength(1);

    const description = await client.workflow.getHandle(workflowId).describe();
    expect(description.typedSearchAttributes.get(phaseSearchAttribute)).toBe('failed');

    if (process.env.PATCHWARDEN_RECORD_HISTORIES === '1') await recordHistories(client, temporal.address);
  });

  it('leaves a verifiable audit trail', async () => {
    const actions = (await testDb.database.query<{ action: string; actor: string }>('SELECT action, actor FROM audit_log ORDER BY seq')).map(
      (row) => `${row.actor}:${row.action}`,
    );
    expect(actions).toContain('alice:incident.created');
    expect(actions).toContain('alice:exception.requested');
    expect(actions).toContain('bob:exception.approved');
    expect(actions).toContain('workflow:quarantine.contained');
    expect(actions).toContain('workflow:deployment.failed');
    expect(actions).toContain('workflow:mitigation.applied');
    expect(actions).toContain('workflow:incident.closed');

    const verify = await api.as(approverKey).send('GET', '/api/audit/verify');
    expect(verify.status).toBe(403);
    const admin = await createApiKey(testDb.database, { principal: 'auditor-1', roles: ['auditor'], createdBy: 'test' });
    const verified = await api.as(admin.key).send('GET', '/api/audit/verify');
    expect(verified.body.ok).toBe(true);
    expect(verified.body.rows).toBe(actions.length + 1);
  });

  it('rejects a repeat of a closed ticket', async () => {
    const repeat = await api.send('POST', '/api/incidents', {
      source: 'servicenow',
      ticketId: 'INC0042',
      title: 'again',
      cves: ['CVE-2012-1823'],
      reportedBy: 'soc-tier1',
    });
    expect(repeat.status).toBe(409);
    expect(repeat.body.detail).toMatch(/INC-\d{8}-[0-9a-f]{6}, which is failed/);
  });
});

/** Saves every workflow's history for the replay test: `PATCHWARDEN_RECORD_HISTORIES=1 npx vitest run test/e2e.test.ts`. */
async function recordHistories(client: Client, address: string): Promise<void> {
  const folder = fileURLToPath(new URL('./histories/', import.meta.url));
  await mkdir(folder, { recursive: true });
  for await (const execution of client.workflow.list()) {
    // The CLI's JSON output is the form Worker.runReplayHistory documents.
    const { stdout } = await run(findTemporalCli()!, ['workflow', 'show', '--address', address, '--workflow-id', execution.workflowId, '--run-id', execution.runId, '--output', 'json']);
    const name = execution.type.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    await writeFile(join(folder, `${name}.json`), stdout);
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
