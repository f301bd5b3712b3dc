/** Test helper shared by the import parser tests. */

import { ImportFormatError } from '../domain/errors.js';

/**
 * Runs `action` and returns the ImportFormatError it throws, so a test can assert
 * the error's line and reason. Rethrows any other error, and throws when `action`
 * returns normally.
 */
export function catchImportFormatError(action: () => unknown): ImportFormatError {
  try {
    action();
  } catch (error) {
    if (error instanceof ImportFormatError) return error;
    throw error;
  }
  throw new Error('expected an ImportFormatError, but the call returned normally');
}
