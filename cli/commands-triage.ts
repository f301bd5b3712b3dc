/** CLI commands for triage: `triage export`, a thin client of GET /api/findings/prioritized. */
import { type Command, Option } from 'commander';
import { ApiClient } from './api-client.js';
import { positiveInteger } from './arguments.js';
import { type TriageFormat, type TriagePage, exportTriage } from './triage-export.js';

function collectPriorities(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim().toUpperCase()).filter(Boolean)];
}

/**
 * Ends the process without a stack trace when the reader of stdout goes away,
 * as `head` does after its lines: the rest of the export has nowhere to go.
 */
function stopQuietlyWhenOutputCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

export function registerTriageCommands(program: Command): void {
  const triage = program.command('triage').description('open findings ranked by risk score');
  triage
    .command('export')
    .description('write the prioritized findings, highest score first, to stdout')
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'md']).default('csv'))
    .option('--priority <list>', 'only these priorities (P1 to P4), repeatable or comma-separated', collectPriorities, [])
    .option('--limit <n>', 'most findings to write (default: all)', positiveInteger)
    .action(async (options: { format: TriageFormat; priority: string[]; limit?: number }) => {
      const api = new ApiClient();
      stopQuietlyWhenOutputCloses();
      const count = await exportTriage({
        format: options.format,
        priorities: options.priority,
        limit: options.limit,
        fetchPage: (params) => api.request<TriagePage>('get', '/api/findings/prioritized', undefined, params),
        write: (text) => process.stdout.write(text),
      });
      process.stderr.write(`exported ${count} findings\n`);
    });
}
