/**
 * Parser for asset tags exported from a CMDB as CSV. The header row names at
 * least one host column (`asset_id`, `hostname`, `fqdn`, `ip`) and at least one
 * tag column. Each other column is a tag: a known key (`criticality`,
 * `exposure`, `owner`, `site`, `function`, `location`, `lifecycle`,
 * `maintenanceWindow`, matched ignoring case, `_` and `-`) or a custom key that
 * matches `TAG_KEY_PATTERN`. An empty tag cell leaves that tag as it is.
 *
 * The parser returns records and never touches the database, so it neither
 * matches hosts to assets nor creates assets.
 */
import { type AssetHostKey, type AssetTagRecord, type TagChanges, canonicalTagKey, checkTagValue, foldTagKey } from '../../domain/asset-tags.js';
import { ImportFormatError } from '../../domain/errors.js';
import { type CsvLayout, type CsvRow, readCsvRows } from '../scanner/csv-rows.js';

const LAYOUT: CsvLayout = { formatName: 'CMDB asset tags CSV', required: [] };

/** Host columns by folded name, with the field each fills. */
const HOST_COLUMNS = new Map<string, keyof AssetHostKey>([
  ['assetid', 'assetId'],
  ['hostname', 'hostname'],
  ['fqdn', 'fqdn'],
  ['ip', 'ip'],
]);

const HOST_COLUMN_NAMES = 'asset_id, hostname, fqdn or ip';

export interface AssetTagsFile {
  /** Tag keys the file sets, canonical, in column order. */
  tagKeys: string[];
  /** One record per data row, in file order. */
  records: AssetTagRecord[];
}

/** Header columns and the role of each. */
interface ColumnPlan {
  hosts: { column: string; field: keyof AssetHostKey }[];
  tags: { column: string; key: string }[];
}

/**
 * Reads a CMDB tags CSV.
 *
 * @throws ImportFormatError naming the file, the line and, for a bad column or
 *   cell, the column. The file may be empty or not valid UTF-8. The header may
 *   lack a host column or a tag column, or have an empty or invalid column
 *   name, or one column twice. A row's host cells may all be empty. A tag
 *   value may be invalid for its key: a `criticality` other than 1 to 4, an
 *   unknown `exposure`, text that is too long or contains a line break.
 *   Malformed CSV is reported as `readCsvRows` does.
 */
export async function readAssetTagsCsv(path: string, options: { fileName?: string } = {}): Promise<AssetTagsFile> {
  const file = options.fileName ?? path;
  const header: { plan: ColumnPlan | null } = { plan: null };
  const records: AssetTagRecord[] = [];

  const rows = readCsvRows(path, {
    fileName: file,
    layout: LAYOUT,
    onHeader: (names, line) => {
      header.plan = planColumns(names, file, line);
    },
  });
  for await (const row of rows) {
    // readCsvRows calls onHeader before it yields the first data row.
    records.push(toRecord(row, header.plan!, file));
  }

  return { tagKeys: header.plan?.tags.map((tag) => tag.key) ?? [], records };
}

function planColumns(names: readonly string[], file: string, line: number): ColumnPlan {
  const plan: ColumnPlan = { hosts: [], tags: [] };
  const seen = new Map<string, string>();

  names.forEach((column, index) => {
    if (column === '') throw new ImportFormatError(file, line, `column ${index + 1} of the header has no name; name it or remove it`);

    const host = HOST_COLUMNS.get(foldTagKey(column));
    const key = host === undefined ? canonicalTagKey(column) : host;
    if (key === null) {
      throw new ImportFormatError(
        file,
        line,
        `column "${column}" is not a valid tag key (a letter, then letters, digits, "_" or "-", at most 64 characters); rename or remove the column`,
      );
    }

    const earlier = seen.get(key);
    if (earlier !== undefined) throw new ImportFormatError(file, line, `columns "${earlier}" and "${column}" name the same field; keep one`);
    seen.set(key, column);

    if (host === undefined) plan.tags.push({ column, key });
    else plan.hosts.push({ column, field: host });
  });

  if (plan.hosts.length === 0) {
    throw new ImportFormatError(file, line, `the header row has no host column; name one of ${HOST_COLUMN_NAMES}, which match an asset as scans do`);
  }
  if (plan.tags.length === 0) {
    throw new ImportFormatError(file, line, 'the header row has no tag column; add criticality, exposure, owner or another tag');
  }
  return plan;
}

function toRecord(row: CsvRow, plan: ColumnPlan, file: string): AssetTagRecord {
  const host: AssetHostKey = { assetId: null, hostname: null, fqdn: null, ip: null };
  for (const { column, field } of plan.hosts) host[field] = row.get(column);
  if (Object.values(host).every((value) => value === null)) {
    const columns = plan.hosts.map((entry) => `"${entry.column}"`).join(', ');
    throw new ImportFormatError(file, row.line, `the row names no host: every host column (${columns}) is empty`);
  }

  const changes: TagChanges = {};
  for (const { column, key } of plan.tags) {
    const cell = row.get(column);
    if (cell === null) continue;

    const checked = checkTagValue(key, cell);
    if (!checked.ok) throw new ImportFormatError(file, row.line, `column "${column}": the value "${cell}" ${checked.message}`);
    changes[key] = checked.value;
  }

  return { line: row.line, host, changes };
}
