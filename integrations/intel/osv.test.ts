import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { sharedDataPath } from '../../test/shared-data.js';
import { parseOsvFile, readOsvFile } from './osv.js';

const osvPath = (...segments: string[]) => sharedDataPath('osv', ...segments);

describe('readOsvFile', () => {
  it('reads a GHSA record', async () => {
    const file = await readOsvFile(osvPath('GHSA-9v2f-6vcg-3hgv.json'));

    expect(file.layout).toBe('record');
    expect(file.advisories).toHaveLength(1);
    expect(file.advisories[0]).toEqual({
      id: 'GHSA-9v2f-6vcg-3hgv',
      modified: '2024-07-03T20:05:21Z',
      published: '2024-07-01T21:31:15Z',
      withdrawn: null,
      summary: 'Gradio was discovered to contain a code injection vulnerability via the component /gradio/component_meta.py',
      aliases: ['CVE-2024-39236'],
      cves: ['CVE-2024-39236'],
      affected: [{ ecosystem: 'PyPI', name: 'Gradio', purl: null, ranges: [], versions: ['4.36.1', '4.36.-1'] }],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    });
  });

  it('maps SEMVER range events', async () => {
    const [advisory] = (await readOsvFile(osvPath('GO-2024-2963.json'))).advisories;

    expect(advisory?.affected[0]?.ecosystem).toBe('Go');
    expect(advisory?.affected[0]?.name).toBe('stdlib');
    expect(advisory?.affected[0]?.ranges).toEqual([
      { type: 'SEMVER', repo: null, events: [{ introduced: '0' }, { fixed: '1.21.12' }, { introduced: '1.22.0-0' }, { fixed: '1.22.5' }] },
    ]);
    expect(advisory?.severity).toEqual([]);
  });

  it('keeps a package-less GIT range', async () => {
    const [advisory] = (await readOsvFile(osvPath('CVE-2023-41045.json'))).advisories;

    expect(advisory?.cves).toEqual(['CVE-2023-41045']);
    expect(advisory?.aliases).toEqual(['GHSA-g96c-x7rh-99r3']);
    expect(advisory?.affected[0]?.name).toBeNull();
    expect(advisory?.affected[0]?.ranges[0]?.repo).toBe('https://github.com/graylog2/graylog2-server');
  });

  it('takes CVEs from upstream', async () => {
    const [advisory] = (await readOsvFile(osvPath('RHSA-2024_6220.osv.json'))).advisories;

    expect(advisory?.id).toBe('RHSA-2024:6220');
    expect(advisory?.cves).toEqual(['CVE-2024-6345']);
    // 228: `jq '.affected | length' RHSA-2024_6220.osv.json`
    expect(advisory?.affected).toHaveLength(228);
  });

  it('leaves related ids out of the CVEs', async () => {
    const [advisory] = (await readOsvFile(osvPath('RHSA-2022_0216.json'))).advisories;

    expect(advisory?.cves).toEqual([]);
  });

  it('reads malicious-package records', async () => {
    const [advisory] = (await readOsvFile(osvPath('MAL-2024-10238.json'))).advisories;

    expect(advisory?.aliases).toEqual([]);
    expect(advisory?.affected[0]?.versions).toEqual(['0.0.1']);
  });

  it('reads osv-scanner output', async () => {
    const file = await readOsvFile(osvPath('osv_scanner_many_findings.json'));

    // python3 over results[].packages[].vulnerabilities[]: 66 records, 64 distinct ids,
    // 39 distinct CVE ids among id, aliases and upstream.
    expect(file.layout).toBe('osv-scanner');
    expect(file.records).toBe(66);
    expect(file.advisories).toHaveLength(64);
    expect(new Set(file.advisories.flatMap((advisory) => advisory.cves)).size).toBe(39);
  });

  it('reads a scanner record in full', async () => {
    const file = await readOsvFile(osvPath('osv_scanner_many_findings.json'));
    const guzzle = file.advisories.find((advisory) => advisory.id === 'GHSA-25mq-v84q-4j7r');

    expect(guzzle?.cves).toEqual(['CVE-2022-31090']);
    expect(guzzle?.affected[0]?.purl).toBe('pkg:composer/guzzlehttp/guzzle');
    expect(guzzle?.affected[0]?.ranges[0]?.events).toEqual([{ introduced: '0' }, { fixed: '6.5.8' }]);
  });
});

describe('parseOsvFile', () => {
  it('reads a JSON array', () => {
    const text = JSON.stringify([
      { id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-01-01T00:00:00Z', aliases: ['CVE-2024-0001'] },
      { id: 'GHSA-aaaa-bbbb-cccc', modified: '2024-02-01T00:00:00Z', aliases: ['CVE-2024-0002'] },
    ]);

    const file = parseOsvFile(text, 'osv.json');

    expect(file.layout).toBe('array');
    expect(file.records).toBe(2);
    expect(file.advisories.map((advisory) => advisory.cves)).toEqual([['CVE-2024-0002']]);
  });

  it('names a missing modified', () => {
    const text = '[\n  {"id": "GO-2024-1"},\n  {"id": "GO-2024-2", "modified": "2024-01-01T00:00:00Z"}\n]';

    const error = catchImportFormatError(() => parseOsvFile(text, 'osv.json'));

    expect(error.line).toBe(2);
    expect(error.reason).toBe('[0] (GO-2024-1): required field "modified" is missing');
  });

  it('names an event list that is empty', () => {
    const text = JSON.stringify({ id: 'GO-2024-3', modified: '2024-01-01T00:00:00Z', affected: [{ ranges: [{ type: 'SEMVER', events: [] }] }] });

    const error = catchImportFormatError(() => parseOsvFile(text, 'osv.json'));

    expect(error.reason).toMatch(/^record \(GO-2024-3\): field "affected\[0\]\.ranges\[0\]\.events" is invalid/);
  });

  it('rejects an unknown layout', () => {
    const error = catchImportFormatError(() => parseOsvFile('{"vulnerabilities": []}', 'nvd.json'));

    expect(error.line).toBe(1);
    expect(error.reason).toMatch(/^the file is neither an OSV record/);
  });
});
