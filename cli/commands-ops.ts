/** CLI commands for incidents, exceptions, keys and the audit log: thin API clients. */
import type { Command } from 'commander';
import { ApiClient, CliError } from './api-client.js';

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}

export function registerOpsCommands(program: Command): void {
  const incidents = program.command('incidents').description('emergency patch incidents');
  incidents
    .command('create')
    .description('open an incident for a SOC ticket; repeating it attaches to the same incident')
    .requiredOption('--ticket <id>', 'ticket id in the source system (required)')
    .requiredOption('--title <text>', 'ticket title (required)')
    .requiredOption('--cve <ids>', 'CVE ids, repeatable or comma-separated (required)', collect, [])
    .option('--source <system>', 'servicenow, jira or api', 'api')
    .option('--reported-by <name>', 'who reported it in the ticket', 'cli')
    .option('--asset <hint>', 'limit scope to these hostnames, IPs or asset ids; repeatable', collect, [])
    .action(async (options: { ticket: string; title: string; cve: string[]; source: string; reportedBy: string; asset: string[] }) => {
      const body = {
        source: options.source,
        ticketId: options.ticket,
        title: options.title,
        cves: options.cve,
        reportedBy: options.reportedBy,
        ...(options.asset.length > 0 ? { assetHints: options.asset } : {}),
      };
      print(await new ApiClient().request('post', '/api/incidents', body));
    });
  incidents
    .command('list')
    .description('list incidents, newest first')
    .option('--status <status>', 'a phase, or open / closed')
    .action(async (options: { status?: string }) => {
      print(await new ApiClient().request('get', '/api/incidents', undefined, options.status ? { status: options.status } : {}));
    });
  incidents
    .command('show')
    .description("show an incident: phase, CVEs with priority and deadline, each host's action and state, escalations")
    .argument('<incidentId>')
    .action(async (incidentId: string) => {
      print(await new ApiClient().request('get', `/api/incidents/${encodeURIComponent(incidentId)}`));
    });

  const exceptions = program.command('exceptions').description('patch exceptions awaiting or past a decision');
  exceptions
    .command('list')
    .description('list exceptions with their state')
    .option('--status <status>', 'pending, approved or denied')
    .action(async (options: { status?: string }) => {
      print(await new ApiClient().request('get', '/api/exceptions', undefined, options.status ? { status: options.status } : {}));
    });
  for (const decision of ['approve', 'deny'] as const) {
    exceptions
      .command(decision)
      .description(`${decision} an exception (needs the approver role; not the requester)`)
      .argument('<exceptionId>')
      .requiredOption('--comment <text>', 'reason for the decision, kept in the audit log (required)')
      .action(async (exceptionId: string, options: { comment: string }) => {
        print(
          await new ApiClient().request('post', `/api/exceptions/${encodeURIComponent(exceptionId)}/decision`, {
            decision,
            comment: options.comment,
          }),
        );
      });
  }

  const keys = program.command('keys').description('API keys (admin)');
  keys
    .command('create')
    .description('create a principal (or replace its roles) and issue it a key')
    .requiredOption('--principal <name>', 'who the key belongs to (required)')
    .requiredOption('--roles <roles>', 'comma-separated: soc_analyst, patch_operator, approver, change_manager, auditor, admin', collect, [])
    .action(async (options: { principal: string; roles: string[] }) => {
      const created = await new ApiClient().request<{ key: string }>('post', '/api/keys', options);
      print(created);
      process.stderr.write('Store the key now: it is not shown again.\n');
    });
  keys.command('list').description('list keys and their principals (never the secrets)').action(async () => print(await new ApiClient().request('get', '/api/keys')));
  keys
    .command('revoke')
    .description('revoke a key by its id; the key stops working at once')
    .argument('<keyId>')
    .action(async (keyId: string) => {
      await new ApiClient().request('delete', `/api/keys/${encodeURIComponent(keyId)}`);
      console.log(`revoked key ${keyId}`);
    });

  const audit = program.command('audit').description('tamper-evident audit log');
  audit
    .command('verify')
    .description('recompute the hash chain and name the first row that does not match')
    .action(async () => {
      const result = await new ApiClient().request<{ ok: boolean; rows: number; firstBadSeq?: number; reason?: string }>('get', '/api/audit/verify');
      if (!result.ok) throw new CliError(`audit chain broken at row ${result.firstBadSeq}: ${result.reason}`);
      console.log(`audit chain verified: ${result.rows} rows`);
    });
}
