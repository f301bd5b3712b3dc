/**
 * Opens a scanner file of any supported format: detects the format from content
 * and returns the scanner product with a stream of host reports.
 */
import { ImportFormatError } from '../../domain/errors.js';
import type { ScannedHostReport, ScannerProduct } from '../../domain/findings.js';
import { detectScannerFormat, type ScannerFormat } from './detect.js';
import { readNessusV2 } from './nessus-v2.js';

export interface OpenedScan {
  format: Exclude<ScannerFormat, 'unknown'>;
  scanner: ScannerProduct;
  reports: AsyncIterable<ScannedHostReport>;
}

export async function openScannerFile(path: string, options: { fileName?: string } = {}): Promise<OpenedScan> {
  const fileName = options.fileName ?? path;
  const format = await detectScannerFormat(path, { fileName });

  switch (format) {
    case 'nessus-v2':
      return { format, scanner: 'nessus', reports: readNessusV2(path, { fileName }) };
    case 'unknown':
      throw new ImportFormatError(fileName, 1, 'unknown scanner format; supported: Nessus v2 XML (.nessus)');
  }
}
