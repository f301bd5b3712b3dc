import { describe, expect, it } from 'vitest';
import { catchImportFormatError } from '../../test/import-errors.js';
import { parseJsonDocument } from './json-input.js';

function errorLine(text: string): number | null {
  return catchImportFormatError(() => parseJsonDocument(text, 'upload.json')).line;
}

describe('parseJsonDocument errors', () => {
  it('names line 1 for a Markdown file', () => {
    expect(errorLine('# Patchwarden\n\nA workflow engine.\n')).toBe(1);
  });

  it('names the line of an unexpected token', () => {
    expect(errorLine('{\n  "a": 1,\n  "b": x\n}\n')).toBe(3);
  });

  it('names the last line for a truncated file', () => {
    expect(errorLine('{\n  "a": [1,\n 2')).toBe(3);
  });
});

describe('parseJsonDocument on other content', () => {
  const cases = [
    { name: 'ZIP archive', text: 'PK\u0003\u0004\u0014\u0000\u0008', what: /^the file is a ZIP archive, not JSON; extract it/ },
    { name: 'gzip data', text: Buffer.from([0x1f, 0x8b, 0x08, 0x00]).toString('utf8'), what: /^the file is gzip-compressed data, not JSON; decompress it/ },
    { name: 'XML report', text: '<?xml version="1.0"?>\n<NessusClientData_v2/>', what: /^the file is an XML document \(it starts with "<"\), not JSON; scanner reports/ },
  ];

  for (const { name, text, what } of cases) {
    it(`names a ${name}`, () => {
      const error = catchImportFormatError(() => parseJsonDocument(text, 'upload.json'));

      expect(error.line).toBe(1);
      expect(error.reason).toMatch(what);
    });
  }
});
