import { describe, expect, it } from 'vitest';

import type { ScannerProduct } from '../../domain/findings.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { openScannerFile } from './open-scan.js';
import { formatError, readAll, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('open-scan');

/** One real file per format, with the scanner product its findings are stored under. */
const PRODUCTS: [folder: string, file: string, scanner: ScannerProduct][] = [
  ['nessus', 'ruby-nessus_example_v2.nessus', 'nessus'],
  ['nessus', 'dd_nessus_many_vuln2-all.csv', 'nessus'],
  ['nessus', 'dd_nessus_many_vuln.csv', 'nessus'],
  ['nessus', 'dd_nessus_new.csv', 'nessus'],
  ['tenable', 'dd_tenable_was_many_vuln.xml', 'tenable'],
  ['tenable', 'dd_tenable_was_many_vuln.csv', 'tenable'],
  ['qualys', 'dd_qualys_sample_report.xml', 'qualys'],
  ['qualys', 'dd_qualys_infrascan_webgui_multiple.xml', 'qualys'],
  ['qualys', 'dd_qualys_webapp_many_vuln.xml', 'qualys'],
  ['qualys', 'dd_qualys_sample_report.csv', 'qualys'],
  ['qualys', 'dd_qualys_vmdr_many_vulns_qid.csv', 'qualys'],
  ['openvas', 'dd_openvas_many_vuln.xml', 'openvas'],
  ['openvas', 'dd_openvas_many_vuln.csv', 'openvas'],
  ['nexpose', 'dd_nexpose_many_vulns.xml', 'nexpose'],
];

describe('openScannerFile', () => {
  for (const [folder, file, scanner] of PRODUCTS) {
    it(`opens ${file} as ${scanner}`, async () => {
      const scan = await openScannerFile(sharedDataPath('scanners', folder, file));
      const reports = await readAll(scan.reports);

      expect(scan.scanner).toBe(scanner);
      expect(reports.every((report) => report.scanner === scanner)).toBe(true);
    });
  }

  it('rejects an empty file', async () => {
    const path = await writeTemp('empty.csv', '');

    const error = await formatError(openScannerFile(path, { fileName: 'upload.csv' }));

    expect(error.file).toBe('upload.csv');
    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/^unknown scanner format; supported: Nessus v2 XML/);
  });

  it('rejects the legacy Nessus v1 file', async () => {
    const error = await formatError(openScannerFile(sharedDataPath('scanners', 'nessus', 'ruby-nessus_example_v1_legacy.nessus')));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/Nessus v1 .* not supported/);
  });

  it('names the file in parse errors', async () => {
    const path = await writeTemp('truncated.xml', '<?xml version="1.0"?>\n<ASSET_DATA_REPORT>\n<HOST_LIST>\n');

    const scan = await openScannerFile(path, { fileName: 'report.xml' });
    const error = await formatError(readAll(scan.reports));

    expect(error.file).toBe('report.xml');
    expect(error.reason).toMatch(/unclosed tag/);
  });
});
