/**
 * Nessus import: throughput of the real import of the largest real `.nessus` file
 * against a bare streaming XML pass (saxes, no processing) over the same bytes,
 * and peak RSS of parsing the same content repeated ten times against one copy.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SaxesParser } from 'saxes';
import { importFile } from '../api/import-service.js';
import { createLogger } from '../config/logger.js';
import { sharedDataPath } from '../test/shared-data.js';
import { bestOf, withDatabase, type BenchResult } from './harness.js';

const run = promisify(execFile);
const LARGEST = 'mitre-saf_sample.nessus';

async function barePass(file: string): Promise<void> {
  const parser = new SaxesParser();
  let elements = 0;
  parser.on('opentag', () => {
    elements += 1;
  });
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) parser.write(chunk as string);
  parser.close();
  if (elements === 0) throw new Error(`no elements in ${file}`);
}

/** Writes the file's hosts `copies` times over, each copy with its own host names so none merge. */
async function repeatHosts(file: string, copies: number, out: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf('<ReportHost');
  const end = text.lastIndexOf('</ReportHost>') + '</ReportHost>'.length;
  const hosts = text.slice(start, end);
  const body = Array.from({ length: copies }, (_, copy) => hosts.replace(/<ReportHost name="([^"]+)"/g, `<ReportHost name="$1-copy${copy}"`)).join('\n');
  await writeFile(out, text.slice(0, start) + body + text.slice(end));
}

async function peakRss(file: string): Promise<number> {
  const child = fileURLToPath(new URL('./nessus-rss-child.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, file]);
  return Number(stdout.trim());
}

export async function benchNessus(): Promise<BenchResult[]> {
  const file = sharedDataPath('scanners/nessus', LARGEST);
  const megabytes = (await stat(file)).size / 1024 / 1024;
  const logger = createLogger({ silent: true });

  const throughput = await withDatabase(async ({ database }) => {
    const bareMs = await bestOf(5, () => barePass(file));
    const importMs = await bestOf(5, () => importFile(database, 'findings', { path: file, fileName: LARGEST, importedBy: 'bench' }, logger));
    const measured = megabytes / (importMs / 1000);
    const baseline = megabytes / (bareMs / 1000);
    const result: BenchResult = {
      name: `Nessus import throughput (${LARGEST}, ${megabytes.toFixed(2)} MB)`,
      ratioLabel: 'import MB/s / bare XML pass MB/s',
      measured,
      baseline,
      unit: 'MB/s',
      goal: '>= 0.5',
      met: measured / baseline >= 0.5,
    };
    return result;
  });

  const scratch = await mkdtemp(join(tmpdir(), 'pw-bench-nessus-'));
  try {
    const tenfold = join(scratch, 'tenfold.nessus');
    await repeatHosts(file, 10, tenfold);
    const oneRss = await peakRss(file);
    const tenRss = await peakRss(tenfold);
    const memory: BenchResult = {
      name: 'Nessus parse peak RSS (10x content)',
      ratioLabel: 'peak RSS 10x / peak RSS 1x',
      measured: tenRss,
      baseline: oneRss,
      unit: 'MB',
      goal: '<= 1.2',
      met: tenRss / oneRss <= 1.2,
    };
    return [throughput, memory];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
