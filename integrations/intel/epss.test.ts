import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import type { EpssScore } from '../../domain/intel.js';
import { fixturePath, sharedDataPath } from '../../test/shared-data.js';
import { scratchFiles } from '../../test/scratch-files.js';
import { epssCopyStream } from './epss-copy.js';
import { type EpssReadOptions, readEpssFileInfo, readEpssScores } from './epss.js';

const official = fixturePath('intel', 'epss_official_format_head_v2023.03.01.csv');
// 360142 rows: `wc -l epss_fullset_emba_2026-08-16_semicolon.csv` (no header line).
const semicolon = sharedDataPath('intel', 'epss', 'epss_fullset_emba_2026-08-16_semicolon.csv');

const writeTemp = scratchFiles('patchwarden-epss-');


async function readAll(path: string, options?: EpssReadOptions): Promise<EpssScore[]> {
  const scores: EpssScore[] = [];
  for await (const batch of readEpssScores(path, options)) scores.push(...batch);
  return scores;
}

/** Drains a COPY stream and returns its row count. */
async function copyAll(path: string, options?: EpssReadOptions): Promise<number> {
  const copy = await epssCopyStream(path, options);
  for await (const chunk of copy.rows) void chunk;
  return copy.count;
}

/** Reads a COPY stream and parses its rows back into scores. */
async function copiedScores(path: string): Promise<EpssScore[]> {
  const copy = await epssCopyStream(path);
  let text = '';
  for await (const chunk of copy.rows) text += String(chunk);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [cve, epss, percentile] = line.split('\t');
      return { cve: cve!, epss: Number(epss), percentile: Number(percentile) };
    });
}

async function formatError(action: Promise<unknown>): Promise<ImportFormatError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof ImportFormatError) return error;
    throw error;
  }
  throw new Error('expected an ImportFormatError');
}

const MODEL_LINE = '#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000';

describe('official layout', () => {
  it('reads model version and score date', async () => {
    const info = await readEpssFileInfo(official);

    expect(info.modelVersion).toBe('v2023.03.01');
    expect(info.scoreDate).toBe('2025-02-20');
  });

  it('reads the five rows', async () => {
    const scores = await readAll(official);

    expect(scores).toHaveLength(5);
    expect(scores[0]).toEqual({ cve: 'CVE-1999-0001', epss: 0.00383, percentile: 0.73075 });
    expect(scores[4]).toEqual({ cve: 'CVE-1999-0005', epss: 0.91963, percentile: 0.99214 });
  });

  it('reads a gzip file by its magic bytes', async () => {
    const path = await writeTemp('no-extension', gzipSync(await readFile(official)));

    const info = await readEpssFileInfo(path);
    const scores = await readAll(path);

    expect(info.scoreDate).toBe('2025-02-20');
    expect(scores).toEqual(await readAll(official));
  });

  it('accepts a header without model line', async () => {
    const path = await writeTemp('epss_scores-2024-05-01.csv', 'cve,epss,percentile\r\nCVE-2024-0001,0.5,0.9\r\n');

    const info = await readEpssFileInfo(path);
    const scores = await readAll(path);

    expect(info).toEqual({ modelVersion: null, scoreDate: '2024-05-01' });
    expect(scores).toEqual([{ cve: 'CVE-2024-0001', epss: 0.5, percentile: 0.9 }]);
  });

  it('prefers the header date to the option', async () => {
    const info = await readEpssFileInfo(official, { scoreDate: '2030-01-01' });

    expect(info.scoreDate).toBe('2025-02-20');
  });
});

describe('semicolon layout', () => {
  it('reads all 360,142 real rows in batches', async () => {
    let rows = 0;
    let largestBatch = 0;
    for await (const batch of readEpssScores(semicolon)) {
      rows += batch.length;
      largestBatch = Math.max(largestBatch, batch.length);
    }

    expect(rows).toBe(360_142);
    expect(largestBatch).toBe(10_000);
  });

  it('takes the score date from the file name', async () => {
    const info = await readEpssFileInfo(semicolon);

    expect(info).toEqual({ modelVersion: null, scoreDate: '2026-08-16' });
  });

  it('takes the score date from the option', async () => {
    const path = await writeTemp('scores.csv', 'CVE-1999-0001;0.012;0.8\n');

    const info = await readEpssFileInfo(path, { scoreDate: '2025-03-01' });

    expect(info.scoreDate).toBe('2025-03-01');
  });

  it('leaves an unknown score date null', async () => {
    const path = await writeTemp('undated.csv', 'CVE-1999-0001;0.012;0.8\n');

    const info = await readEpssFileInfo(path);

    expect(info.scoreDate).toBeNull();
  });

  it('honours batchSize', async () => {
    const path = await writeTemp('three.csv', 'CVE-1999-0001;0.1;0.1\nCVE-1999-0002;0.2;0.2\nCVE-1999-0003;0.3;0.3\n');

    const sizes: number[] = [];
    for await (const batch of readEpssScores(path, { batchSize: 2 })) sizes.push(batch.length);

    expect(sizes).toEqual([2, 1]);
  });

  it('rejects an invalid scoreDate option', async () => {
    await expect(readEpssFileInfo(official, { scoreDate: '2025-02-30' })).rejects.toThrow(RangeError);
  });
});

describe('format errors', () => {
  const cases: { name: string; content: string; line: number; reason: RegExp }[] = [
    { name: 'empty file', content: '', line: 1, reason: /empty/ },
    { name: 'blank file', content: '\n\n', line: 1, reason: /empty/ },
    { name: 'epss above 1', content: 'CVE-1999-0001;0.1;0.2\nCVE-1999-0002;1.5;0.2\n', line: 2, reason: /invalid epss "1\.5"/ },
    { name: 'negative percentile', content: `${MODEL_LINE}\ncve,epss,percentile\nCVE-1999-0001,0.1,-0.2\n`, line: 3, reason: /invalid percentile "-0\.2"/ },
    { name: 'epss not a number', content: 'CVE-1999-0001;abc;0.2\n', line: 1, reason: /invalid epss "abc"/ },
    { name: 'empty percentile', content: 'CVE-1999-0001;0.1;\n', line: 1, reason: /invalid percentile ""/ },
    { name: 'malformed CVE id', content: 'CVE-1999-0001;0.1;0.2\nCVE-99-1;0.1;0.2\n', line: 2, reason: /malformed CVE id "CVE-99-1"/ },
    { name: 'wrong header', content: `${MODEL_LINE}\ncve,score,percentile\n`, line: 2, reason: /wrong header/ },
    { name: 'missing header', content: `${MODEL_LINE}\n`, line: 2, reason: /header .* is missing/ },
    { name: 'header without rows', content: `${MODEL_LINE}\ncve,epss,percentile\n`, line: 3, reason: /no score rows/ },
    { name: 'rows without header', content: 'CVE-1999-0001,0.1,0.2\n', line: 1, reason: /unrecognized first line/ },
    { name: 'extra column', content: 'CVE-1999-0001;0.1;0.2;7\n', line: 1, reason: /expected 3 columns/ },
  ];

  // The import reads through the COPY stream, the tests and tools through the
  // row parser: both must name the same line for the same fault.
  const readers = [
    { reader: 'readEpssScores', read: readAll },
    { reader: 'epssCopyStream', read: copyAll },
  ];

  for (const { reader, read } of readers) {
    for (const { name, content, line, reason } of cases) {
      it(`${reader} rejects ${name}`, async () => {
        const path = await writeTemp(`${name.replaceAll(' ', '-')}.csv`, content);

        const error = await formatError(read(path));

        expect(error.file).toBe(path);
        expect(error.line).toBe(line);
        expect(error.reason).toMatch(reason);
      });
    }

    it(`${reader} rejects corrupt gzip data`, async () => {
      const gzip = gzipSync(Buffer.from(`${MODEL_LINE}\ncve,epss,percentile\nCVE-1999-0001,0.1,0.2\n`));
      const path = await writeTemp('truncated.csv.gz', gzip.subarray(0, gzip.length - 12));

      const error = await formatError(read(path));

      expect(error.file).toBe(path);
      expect(error.reason).toMatch(/invalid gzip data/);
    });
  }

  it('epssCopyStream names the line with bytes invalid in UTF-8', async () => {
    const path = await writeTemp('latin1.csv', Buffer.concat([Buffer.from('CVE-1999-0001;0.1;0.2\nCVE-1999-0002;0.1'), Buffer.from([0xe9]), Buffer.from(';0.2\n')]));

    const error = await formatError(copyAll(path));

    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/invalid UTF-8/);
  });

  it('names the file as the caller does', async () => {
    const path = await writeTemp('upload-1234', 'nonsense\n');

    const error = await formatError(readAll(path, { fileName: 'epss.csv' }));

    expect(error.file).toBe('epss.csv');
  });
});

describe('epssCopyStream', () => {
  it('writes COPY text rows', async () => {
    const copy = await epssCopyStream(official);

    let text = '';
    for await (const chunk of copy.rows) text += String(chunk);

    expect(copy.info.scoreDate).toBe('2025-02-20');
    expect(text.split('\n')[0]).toBe('CVE-1999-0001\t0.00383\t0.73075');
    expect(text.endsWith('CVE-1999-0005\t0.91963\t0.99214\n')).toBe(true);
    expect(await copy.count).toBe(5);
  });

  it('counts the real semicolon rows', async () => {
    const copy = await epssCopyStream(semicolon);

    let lines = 0;
    for await (const chunk of copy.rows) lines += String(chunk).split('\n').length - 1;

    expect(lines).toBe(360_142);
    expect(await copy.count).toBe(360_142);
  });

  it('copies the real semicolon file with the values the row parser reads', async () => {
    const [copied, parsed] = await Promise.all([copiedScores(semicolon), readAll(semicolon)]);

    expect(copied.length).toBe(360_142);
    expect(copied).toEqual(parsed);
  });

  it('reports progress every 100,000 rows', async () => {
    const progress: number[] = [];
    const copy = await epssCopyStream(semicolon, { onProgress: (rows) => progress.push(rows) });
    for await (const chunk of copy.rows) void chunk;

    expect(progress).toHaveLength(3);
    expect(progress.every((rows, index) => rows >= (index + 1) * 100_000 && rows < (index + 2) * 100_000)).toBe(true);
  });

  it('normalises unusual rows and keeps plain ones', async () => {
    const content = [
      '\uFEFFCVE-1999-0001;0.1;0.2',
      'CVE-1999-0002; 0.5 ;1e-3\r',
      '',
      'CVE-1999-0003;.25;1.000',
      'CVE-2024-1234567;0;1',
    ].join('\n');
    const path = await writeTemp('unusual.csv', content);

    expect(await copiedScores(path)).toEqual([
      { cve: 'CVE-1999-0001', epss: 0.1, percentile: 0.2 },
      { cve: 'CVE-1999-0002', epss: 0.5, percentile: 0.001 },
      { cve: 'CVE-1999-0003', epss: 0.25, percentile: 1 },
      { cve: 'CVE-2024-1234567', epss: 0, percentile: 1 },
    ]);
  });

  it('copies a gzip file in the official layout', async () => {
    const path = await writeTemp('official.csv.gz', gzipSync(await readFile(official)));

    expect(await copiedScores(path)).toEqual(await readAll(official));
  });

  it('fails rows and count on a bad row', async () => {
    const path = await writeTemp('bad-copy.csv', 'CVE-1999-0001;0.1;0.2\nCVE-1999-0002;2;0.2\n');
    const copy = await epssCopyStream(path);

    const streamError = await formatError(
      (async () => {
        for await (const chunk of copy.rows) void chunk;
      })(),
    );
    const countError = await formatError(copy.count);

    expect(streamError.line).toBe(2);
    expect(countError).toBe(streamError);
  });

  it('rejects count when rows is destroyed early', async () => {
    const copy = await epssCopyStream(semicolon, { batchSize: 100 });

    for await (const chunk of copy.rows) {
      void chunk;
      break;
    }

    await expect(copy.count).rejects.toThrow(/aborted/);
  });

  it('rejects count when rows is destroyed without error', async () => {
    const copy = await epssCopyStream(semicolon, { batchSize: 100 });

    copy.rows.destroy();

    await expect(copy.count).rejects.toThrow(/stopped after 0 rows/);
  });
});
