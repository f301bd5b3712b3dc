/**
 * Opens a scanner file of any supported format: detects the format from content
 * and returns the scanner product with a stream of host reports.
 *
 * Scanner products: every export of Nessus plugin results (.nessus, Nessus CSV,
 * Tenable.sc CSV, Tenable VM CSV) is 'nessus', because the plugin ids and
 * finding keys are the same. A host imported from two of them therefore keeps
 * one finding per plugin. Tenable Web App Scanning exports are 'tenable': they
 * come from another scanner, and their findings are on web application assets.
 */
import { ImportFormatError } from '../../domain/errors.js';
import type { ScannedHostReport, ScannerProduct } from '../../domain/findings.js';
import { type ScannerFormat, detectScannerFormat } from './detect.js';
import { readNessusCsv } from './nessus-csv.js';
import { readNessusV2 } from './nessus-v2.js';
import { readNexposeXml } from './nexpose-xml.js';
import { readOpenvasCsv } from './openvas-csv.js';
import { readOpenvasXml } from './openvas-xml.js';
import { readQualysCsv } from './qualys-csv.js';
import { readQualysScanXml } from './qualys-scan-xml.js';
import { readQualysVmXml } from './qualys-vm-xml.js';
import { readQualysVmdrCsv } from './qualys-vmdr-csv.js';
import { readQualysWasXml } from './qualys-was-xml.js';
import { readTenableScCsv } from './tenable-sc-csv.js';
import { readTenableVmCsv } from './tenable-vm-csv.js';
import { readTenableWasCsv } from './tenable-was-csv.js';
import { readTenableWasXml } from './tenable-was-xml.js';

export interface OpenedScan {
  format: Exclude<ScannerFormat, 'unknown'>;
  scanner: ScannerProduct;
  reports: AsyncIterable<ScannedHostReport>;
}

const SUPPORTED =
  'Nessus v2 XML (.nessus), Nessus CSV, Tenable.sc CSV, Tenable VM CSV, Tenable WAS XML and CSV, ' +
  'Qualys asset data report XML, scan results XML, WAS XML, scan report CSV and VMDR CSV, ' +
  'Greenbone/OpenVAS XML and CSV, Nexpose XML';

/**
 * Detects the file's format and opens its parser. Parsing starts when the
 * caller iterates `reports`, and parse errors surface there.
 *
 * @throws ImportFormatError for an unknown or unsupported format (see `detectScannerFormat`).
 */
export async function openScannerFile(path: string, options: { fileName?: string } = {}): Promise<OpenedScan> {
  const fileName = options.fileName ?? path;
  const format = await detectScannerFormat(path, { fileName });
  const read = { fileName };

  switch (format) {
    case 'nessus-v2':
      return { format, scanner: 'nessus', reports: readNessusV2(path, read) };
    case 'nessus-csv':
      return { format, scanner: 'nessus', reports: readNessusCsv(path, read) };
    case 'tenable-sc-csv':
      return { format, scanner: 'nessus', reports: readTenableScCsv(path, read) };
    case 'tenable-vm-csv':
      return { format, scanner: 'nessus', reports: readTenableVmCsv(path, read) };
    case 'tenable-was-xml':
      return { format, scanner: 'tenable', reports: readTenableWasXml(path, read) };
    case 'tenable-was-csv':
      return { format, scanner: 'tenable', reports: readTenableWasCsv(path, read) };
    case 'qualys-vm-xml':
      return { format, scanner: 'qualys', reports: readQualysVmXml(path, read) };
    case 'qualys-scan-xml':
      return { format, scanner: 'qualys', reports: readQualysScanXml(path, read) };
    case 'qualys-was-xml':
      return { format, scanner: 'qualys', reports: readQualysWasXml(path, read) };
    case 'qualys-csv':
      return { format, scanner: 'qualys', reports: readQualysCsv(path, read) };
    case 'qualys-vmdr-csv':
      return { format, scanner: 'qualys', reports: readQualysVmdrCsv(path, read) };
    case 'openvas-xml':
      return { format, scanner: 'openvas', reports: readOpenvasXml(path, read) };
    case 'openvas-csv':
      return { format, scanner: 'openvas', reports: readOpenvasCsv(path, read) };
    case 'nexpose-xml':
      return { format, scanner: 'nexpose', reports: readNexposeXml(path, read) };
    case 'unknown':
      throw new ImportFormatError(fileName, 1, `unknown scanner format; supported: ${SUPPORTED}`);
  }
}
