/**
 * Helpers for the scanner parser tests: reading every report of a file,
 * catching the ImportFormatError a bad file raises, counting what a file
 * yields, and writing synthetic files to a temporary folder.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect } from 'vitest';

import { ImportFormatError } from '../../domain/errors.js';
import type { ScannedHostReport, ScannerFinding } from '../../domain/findings.js';

/** Counts a real file must yield, found independently of the parser. */
export interface ExpectedCounts {
  hosts: number;
  findings: number;
  informational: number;
  cves: number;
}

export async function readAll(reports: AsyncIterable<ScannedHostReport>): Promise<ScannedHostReport[]> {
  const all: ScannedHostReport[] = [];
  for await (const report of reports) all.push(report);
  return all;
}

/** Awaits the action and returns the ImportFormatError it rejects with. Fails the test when it resolves or rejects with another error. */
export async function formatError(action: Promise<unknown>): Promise<ImportFormatError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof ImportFormatError) return error;
    throw error;
  }
  throw new Error('expected an ImportFormatError');
}

/** Checks each count with its own assertion, so a failure names the count that differs. */
export function expectCounts(reports: ScannedHostReport[], expected: ExpectedCounts): void {
  const findings = reports.flatMap((report) => report.findings);

  expect(reports.length, 'hosts').toBe(expected.hosts);
  expect(findings.length, 'findings').toBe(expected.findings);
  expect(findings.filter((finding) => finding.informational).length, 'informational').toBe(expected.informational);
  expect(new Set(findings.flatMap((finding) => finding.cves)).size, 'distinct CVEs').toBe(expected.cves);
}

export function findingOf(reports: ScannedHostReport[], itemId: string): ScannerFinding | undefined {
  return reports.flatMap((report) => report.findings).find((finding) => finding.itemId === itemId);
}

/** Creates a temporary folder for the test file's synthetic inputs and removes it afterwards. Returns a writer. */
export function useTempFiles(prefix: string): (name: string, content: string | Buffer) => Promise<string> {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `patchwarden-${prefix}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  return async (name, content) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
}
