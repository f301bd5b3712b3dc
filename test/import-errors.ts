/** Test helpers that return the error a call is expected to throw, so a test can assert its fields. */

import { ImportFormatError } from '../domain/errors.js';

/**
 * Runs `action` and returns the error it throws when that error is a `type`.
 * Rethrows any other error, and throws when `action` returns normally.
 */
export function catchErrorOf<T extends Error>(type: new (...args: never[]) => T, action: () => unknown): T {
  try {
    action();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, but the call returned normally`);
}

/** Runs `action` and returns the ImportFormatError it throws, so a test can assert the error's line and reason. */
export function catchImportFormatError(action: () => unknown): ImportFormatError {
  return catchErrorOf(ImportFormatError, action);
}
