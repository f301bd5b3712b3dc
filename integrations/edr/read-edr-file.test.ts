import { describe, expect, it } from 'vitest';

import { catchImportFormatError } from '../../test/import-errors.js';
import { parseVendorTime } from './export-input.js';
import { parseEdrExport } from './read-edr-file.js';

const HUNTING_ROW = { category: 'AdvancedHunting-AlertInfo', properties: { AlertId: 'da1', Timestamp: '2025-01-02 03:04:05', AttackTechniques: '["PowerShell (T1059.001)"]' } };

describe('parseEdrExport', () => {
  it('reads JSON lines', () => {
    const text = `${JSON.stringify(HUNTING_ROW)}\n\n${JSON.stringify({ ...HUNTING_ROW, properties: { ...HUNTING_ROW.properties, AlertId: 'da2' } })}\n`;
    const result = parseEdrExport(text, 'alerts.jsonl');

    expect(result.format).toBe('defender-xdr-hunting');
    expect(result.detections.map((detection) => detection.detectionId)).toEqual(['da1', 'da2']);
  });

  it('names the line of bad JSON lines', () => {
    const text = `${JSON.stringify(HUNTING_ROW)}\n${JSON.stringify(HUNTING_ROW)}\n{"AlertId": \n`;
    const error = catchImportFormatError(() => parseEdrExport(text, 'alerts.jsonl'));

    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/^invalid JSON on this line of a JSON lines file/);
  });

  it('reads one record', () => {
    const result = parseEdrExport(JSON.stringify(HUNTING_ROW, null, 2), 'alert.json');

    expect(result.events).toBe(1);
    expect(result.detections[0]?.techniqueIds).toEqual(['T1059.001']);
  });

  it('accepts an empty list', () => {
    const result = parseEdrExport('[]', 'none.json');

    expect(result).toEqual({ format: 'empty', events: 0, detections: [], skipped: 0, namesWithoutId: 0 });
  });

  it('rejects an empty file', () => {
    const error = catchImportFormatError(() => parseEdrExport(' \n', 'empty.json'));

    expect(error.file).toBe('empty.json');
    expect(error.reason).toBe('the file is empty');
  });

  it('rejects invalid JSON with its line', () => {
    const error = catchImportFormatError(() => parseEdrExport('[\n  {"AlertId": "da1",\n  oops\n]', 'broken.json'));

    expect(error.line).toBe(3);
    expect(error.reason).toMatch(/^invalid JSON/);
  });

  it('rejects an unknown layout', () => {
    const error = catchImportFormatError(() => parseEdrExport('{"vulnerabilities": []}', 'kev.json'));

    expect(error.reason).toMatch(/^\(root\): not a detection export this importer reads: expected CrowdStrike Falcon/);
  });

  it('rejects an element that is no object', () => {
    const error = catchImportFormatError(() => parseEdrExport(`[${JSON.stringify(HUNTING_ROW)}, "da2"]`, 'alerts.json'));

    expect(error.reason).toBe('[1]: expected a JSON object, found a string');
  });

  it('rejects a scalar document', () => {
    const error = catchImportFormatError(() => parseEdrExport('42', 'number.json'));

    expect(error.reason).toBe('(root): expected a JSON array or object of detections, found a number');
  });
});

describe('parseVendorTime', () => {
  it('reads nanoseconds without zone as UTC', () => {
    expect(parseVendorTime('2025-04-21 20:51:04.058183200')).toEqual(new Date('2025-04-21T20:51:04.058Z'));
  });

  it('reads an offset', () => {
    expect(parseVendorTime('2025-04-21T22:51:04+0200')).toEqual(new Date('2025-04-21T20:51:04.000Z'));
  });

  it('reads epoch seconds and milliseconds', () => {
    expect(parseVendorTime(1616609989)).toEqual(new Date('2021-03-24T18:19:49.000Z'));
    expect(parseVendorTime(1616609989000)).toEqual(new Date('2021-03-24T18:19:49.000Z'));
    expect(parseVendorTime('1616609989000')).toEqual(new Date('2021-03-24T18:19:49.000Z'));
  });

  it('rejects other text', () => {
    expect(parseVendorTime('21/04/2025')).toBeNull();
    expect(parseVendorTime('2025-13-40 99:00:00')).toBeNull();
    expect(parseVendorTime(true)).toBeNull();
  });
});
