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
