/** CLI commands for imports: `intel import`, `findings import` and `edr import`, and the loop every multi-file import runs. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ApiClient, CliError } from './api-client.js';

interface ImportAnswer {
  kind: string;
  file: string;
  counts: Record<string, number | string>;
  messages?: string[];
}

/** Prints an import's counts on one line, then each of its messages indented. */
function report(answer: ImportAnswer): void {
  const counts = Object.entries(answer.counts)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`imported ${answer.kind} ${answer.file}: ${counts}`);
  for (const message of answer.messages ?? []) console.log(`  ${message}`);
}

/** One file for one upload route. */
export interface Upload {
  route: string;
  file: string;
  params?: Record<string, string>;
}

/**
 * Uploads each file in turn; each is its own import and transaction. A rejected
 * file does not stop the ones after it: the rejections are printed as they
 * happen and listed at the end, and make the command fail. An unreachable API
 * stops the command at once, because every further upload would fail the same
 * way.
 */
export async function importEach(api: ApiClient, uploads: readonly Upload[]): Promise<void> {
  const rejected: string[] = [];
  for (const { route, file, params } of uploads) {
    try {
      report(await api.upload<ImportAnswer>(route, file, params));
    } catch (error) {
      if (!(error instanceof CliError) || error.apiUnreachable) throw error;
      console.error(`not imported: ${file}\n  ${error.message.replaceAll('\n', '\n  ')}`);
      rejected.push(file);
    }
  }
  if (rejected.length > 0) {
    throw new CliError(`${uploads.length - rejected.length} of ${uploads.length} files imported; not imported: ${rejected.join(', ')}`);
  }
}

/** Returns `path` itself, or the `.json` files directly inside it when it is a folder. */
function jsonFiles(path: string, format: string): string[] {
  if (!existsSync(path)) throw new CliError(`${path}: file or folder not found`);
  if (!statSync(path).isDirectory()) return [path];
  const entries = readdirSync(path, { withFileTypes: true });
  for (const folder of entries.filter((entry) => entry.isDirectory())) {
    console.error(`skipped folder ${join(path, folder.name)}: folders are not read recursively; import it on its own`);
  }
  const others = entries.filter((entry) => !entry.isDirectory() && !entry.name.endsWith('.json'));
  if (others.length > 0) {
    console.error(`skipped ${others.length} file${others.length === 1 ? '' : 's'} in ${path} not named .json: ${others.map((entry) => entry.name).join(', ')}`);
  }
  const files = entries
    .filter((entry) => !entry.isDirectory() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort()
    .map((name) => join(path, name));
  if (files.length === 0) throw new CliError(`no .json files found in ${path}; give ${format} JSON file or a folder of them`);
  return files;
}

export function registerDataCommands(program: Command): void {
  const intel = program.command('intel').description('vulnerability intelligence feeds');
  intel
    .command('import')
    .description('import CISA KEV, EPSS, NVD, CVE JSON 5 and OSV files into Patchwarden (through the API)')
    .option('--kev <file>', 'CISA KEV catalog, JSON or CSV')
    .option('--epss <file>', 'EPSS scores: official CSV (plain or gzip) or the semicolon variant')
    .option('--epss-date <YYYY-MM-DD>', 'score date for an EPSS file that states none')
    .option('--nvd <path>', 'NVD CVE API 2.0 response or cve object; a folder imports each .json file, one transaction per file')
    .option('--cve5 <path>', 'CVE JSON 5 record (cvelistV5, CISA Vulnrichment); a folder imports each .json file')
    .option('--osv <path>', 'OSV advisory, array of advisories or osv-scanner JSON output; a folder imports each .json file')
    .option('--attack <file>', 'ATT&CK mappings of CVEs: CTID attack_to_cve CSV or a Mappings Explorer KEV JSON file')
    .action(async (options: { kev?: string; epss?: string; epssDate?: string; nvd?: string; cve5?: string; osv?: string; attack?: string }) => {
      if (!options.kev && !options.epss && !options.nvd && !options.cve5 && !options.osv && !options.attack) {
        throw new CliError('Nothing to import: give --kev, --epss, --nvd, --cve5, --osv or --attack.');
      }
      const uploads: Upload[] = [];
      if (options.kev) uploads.push({ route: '/api/imports/kev', file: options.kev });
      if (options.epss) {
        uploads.push({ route: '/api/imports/epss', file: options.epss, params: options.epssDate ? { scoreDate: options.epssDate } : {} });
      }
      const folders: [string | undefined, string, string][] = [
        [options.nvd, '/api/imports/nvd', 'an NVD'],
        [options.cve5, '/api/imports/cve5', 'a CVE JSON 5'],
        [options.osv, '/api/imports/osv', 'an OSV'],
      ];
      for (const [path, route, format] of folders) {
        if (path) uploads.push(...jsonFiles(path, format).map((file) => ({ route, file })));
      }
      if (options.attack) uploads.push({ route: '/api/imports/attack', file: options.attack });
      await importEach(new ApiClient(), uploads);
    });

  const findings = program.command('findings').description('scanner findings');
  findings
    .command('import')
    .description('import scanner files (format detected from content), each in its own transaction')
    .argument('<files...>', 'scanner export files, e.g. .nessus')
    .action(async (files: string[]) => {
      await importEach(new ApiClient(), files.map((file) => ({ route: '/api/imports/findings', file })));
    });

  const edr = program.command('edr').description('EDR detections');
  edr
    .command('import')
    .description('import EDR detection exports (layout detected from content) as ATT&CK technique sightings, each in its own transaction')
    .argument(
      '<files...>',
      'CrowdStrike Falcon events or detections, Defender for Endpoint alerts API responses, Defender XDR advanced hunting records or SentinelOne activities (JSON or JSON lines)',
    )
    .action(async (files: string[]) => {
      await importEach(new ApiClient(), files.map((file) => ({ route: '/api/imports/edr', file })));
    });
}
