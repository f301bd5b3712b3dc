import { describe, expect, it } from 'vitest';
import { ImportFormatError } from '../../domain/errors.js';
import { parseJsonDocument } from './json-input.js';

function errorLine(text: string): number | null {
  try {
    parseJsonDocument(text, 'upload.json');
  } catch (error) {
    if (error instanceof ImportFormatError) return error.line;
    throw error;
  }
  throw new Error('expected a parse error');
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
