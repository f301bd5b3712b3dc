import { describe, expect, it } from 'vitest';

import { type CsvLayout, type CsvRow, readCsvRows } from './csv-rows.js';
import { formatError, useTempFiles } from './scanner-test-support.js';

const writeTemp = useTempFiles('csv-rows');

const LAYOUT: CsvLayout = { formatName: 'Test CSV', required: ['Host', 'Plugin'] };

async function readRows(path: string, layout: CsvLayout = LAYOUT): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsvRows(path, { layout })) rows.push(row);
  return rows;
}

describe('readCsvRows', () => {
  it('reads cells by column name', async () => {
    const path = await writeTemp('basic.csv', 'Plugin,Host,Extra\n10107,web01,x\n');

    const [row] = await readRows(path);

    expect(row?.get('Host')).toBe('web01');
    expect(row?.get('Plugin')).toBe('10107');
  });

  it('returns null for an absent column', async () => {
    const path = await writeTemp('absent.csv', 'Plugin,Host\n1,web01\n');

    const [row] = await readRows(path);

    expect(row?.get('Solution')).toBeNull();
  });

  it('numbers rows by their first line', async () => {
    const path = await writeTemp('lines.csv', 'Plugin,Host\n1,"two\nlines"\n2,web02\n');

    const rows = await readRows(path);

    expect(rows.map((row) => row.line)).toEqual([2, 4]);
  });

  it('skips rows of empty cells', async () => {
    const path = await writeTemp('empty-rows.csv', 'Plugin,Host\n,\n1,web01\n, \n');

    const rows = await readRows(path);

    expect(rows).toHaveLength(1);
  });

  it('drops a byte order mark', async () => {
    const path = await writeTemp('bom.csv', '\uFEFFPlugin,Host\n1,web01\n');

    const [row] = await readRows(path);

    expect(row?.get('Plugin')).toBe('1');
  });

  it('reads a semicolon-separated file', async () => {
    const path = await writeTemp('semicolon.csv', 'Plugin;Host\n1;web01,web02\n');

    const [row] = await readRows(path);

    expect(row?.get('Host')).toBe('web01,web02');
  });

  it('finds a header after a preamble', async () => {
    const path = await writeTemp('preamble.csv', '"Report","2026"\n"Company"\nPlugin,Host\n1,web01\n');

    const rows = await readRows(path, { ...LAYOUT, maxRowsBeforeHeader: 2 });

    expect(rows[0]?.line).toBe(4);
  });
});

describe('readCsvRows errors', () => {
  it('names missing columns on line 1', async () => {
    const path = await writeTemp('wrong-header.csv', 'Plugin ID,Hostname\n1,web01\n');

    const error = await formatError(readRows(path));

    expect(error.file).toBe(path);
    expect(error.line).toBe(1);
    expect(error.reason).toBe('the header row lacks the required columns "Host", "Plugin"; this is not a Test CSV export');
  });

  it('rejects a header after the allowed preamble', async () => {
    const path = await writeTemp('late-header.csv', 'Report title\nPlugin,Host\n1,web01\n');

    const error = await formatError(readRows(path));

    expect(error.line).toBe(1);
  });

  it('names the closest header candidate', async () => {
    const path = await writeTemp('candidate.csv', '"Report"\nPlugin,Hostname\n');

    const error = await formatError(readRows(path, { ...LAYOUT, maxRowsBeforeHeader: 3 }));

    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/lacks the required columns "Host";/);
  });

  it('names an empty required cell', async () => {
    const path = await writeTemp('required.csv', 'Plugin,Host\n1,\n');
    const [row] = await readRows(path);

    expect(() => row?.required('Host')).toThrow('required.csv:2: missing value in the required column "Host"');
  });

  it('rejects an empty file', async () => {
    const path = await writeTemp('empty.csv', '');

    const error = await formatError(readRows(path));

    expect(error.line).toBe(1);
    expect(error.reason).toBe('the file is empty; expected a Test CSV header row');
  });

  it('rejects a short row', async () => {
    const path = await writeTemp('short.csv', 'Plugin,Host\n1,web01\n2\n');

    const error = await formatError(readRows(path));

    expect(error.line).toBe(3);
    expect(error.reason).toBe('the row has 1 fields, but the header has 2');
  });

  it('rejects an unclosed quote', async () => {
    const path = await writeTemp('quote.csv', 'Plugin,Host\n1,"web01\n');

    const error = await formatError(readRows(path));

    expect(error.reason).toMatch(/^invalid CSV: Quote Not Closed/);
  });

  it('rejects invalid UTF-8 naming the line', async () => {
    const path = await writeTemp('latin1.csv', Buffer.from('Plugin,Host\n1,web01\n2,caf\xe9\n', 'latin1'));

    const error = await formatError(readRows(path));

    expect(error.line).toBe(3);
    expect(error.reason).toBe('bytes are not valid utf-8; save the file as UTF-8');
  });
});
