/** CLI commands for imports: `intel import`, `findings import` and `edr import`, and the report every import prints. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ApiClient, CliError } from './api-client.js';

export interface ImportAnswer {
  kind: string;
  file: string;
  counts: Record<string, number | string>;
  messages?: string[];
}

/** Prints an import's counts on one line, then each of its messages indented. */
export function report(answer: ImportAnswer): void {
  const counts = Object.entries(answer.counts)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`imported ${answer.kind} ${answer.file}: ${counts}`);
  for (const message of answer.messages ?? []) console.log(`  ${message}`);
}

/** Returns `path` itself, or the `.json` files directly inside it when it is a folder. */
function jsonFiles(path: string, format: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((name) => name.endsWith('.json'))
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
      const api = new ApiClient();
      if (options.kev) report(await api.upload<ImportAnswer>('/api/imports/kev', options.kev));
      if (options.epss) {
        const params: Record<string, string> = options.epssDate ? { scoreDate: options.epssDate } : {};
        report(await api.upload<ImportAnswer>('/api/imports/epss', options.epss, params));
      }
      if (options.nvd) {
        for (const file of jsonFiles(options.nvd, 'an NVD')) report(await api.upload<ImportAnswer>('/api/imports/nvd', file));
      }
      if (options.cve5) {
        for (const file of jsonFiles(options.cve5, 'a CVE JSON 5')) report(await api.upload<ImportAnswer>('/api/imports/cve5', file));
      }
      if (options.osv) {
        for (const file of jsonFiles(options.osv, 'an OSV')) report(await api.upload<ImportAnswer>('/api/imports/osv', file));
      }
      if (options.attack) report(await api.upload<ImportAnswer>('/api/imports/attack', options.attack));
    });

  const findings = program.command('findings').description('scanner findings');
  findings
    .command('import')
    .description('import scanner files (format detected from content), each in its own transaction')
    .argument('<files...>', 'scanner export files, e.g. .nessus')
    .action(async (files: string[]) => {
      const api = new ApiClient();
      for (const file of files) report(await api.upload<ImportAnswer>('/api/imports/findings', file));
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
      const api = new ApiClient();
      for (const file of files) report(await api.upload<ImportAnswer>('/api/imports/edr', file));
    });
}
