/**
 * Reads the fix a scanner names for a finding: the fixed versions or packages
 * in its output, and the vendor patch or advisory ids among its cross references.
 */

/**
 * Lines naming the fix in plugin or result output. Nessus remote checks write
 * "Fixed version : 2.4.58", its local package checks "Should be : tar-1.26-35"
 * and "Fixed package : openjdk-11-jre_11.0.18", Greenbone "Fixed version: 2.4.58".
 */
const FIXED_LINE = /^[ \t]*(?:Fixed version|Fixed package|Should be)[ \t]*:[ \t]*(\S.*?)[ \t]*$/gim;

/**
 * Cross-reference types that name a vendor patch or advisory (as opposed to
 * CWE, BID, IAVA, CERT or URL references, which name the weakness or a notice).
 */
const PATCH_REFERENCE_TYPES = new Set([
  'ALAS',
  'APPLE-SA',
  'CESA',
  'DLA',
  'DSA',
  'ELSA',
  'FEDORA',
  'GLSA',
  'MSFT',
  'MSKB',
  'RHSA',
  'SUSE',
  'USN',
  'VMSA',
]);

/** Returns the fixed versions or packages named in scanner output, without repeats, in output order. */
export function fixedVersionsFromOutput(output: string | null): string[] {
  if (output === null) return [];
  return [...new Set([...output.matchAll(FIXED_LINE)].map((match) => match[1] ?? '').filter((value) => value !== ''))];
}

/**
 * Picks the patch and advisory ids out of Nessus cross references, written as
 * `MSKB:5003169` (.nessus and Nessus CSV, separated by `;` or `,`), `MSKB #5003169`
 * (Tenable.sc) or `RHSA=[2022:7002], USN=[5897-1, 5898-1]` (Tenable VM).
 * Ids come out as `TYPE:ID`.
 */
export function patchIdsFromCrossReferences(text: string | null): string[] {
  if (text === null) return [];

  const ids: string[] = [];
  for (const [type, id] of crossReferences(text)) {
    if (PATCH_REFERENCE_TYPES.has(type.toUpperCase())) ids.push(`${type.toUpperCase()}:${id}`);
  }
  return [...new Set(ids)];
}

function* crossReferences(text: string): Generator<[string, string]> {
  // Tenable VM lists several ids of one type in brackets.
  const bracketed = [...text.matchAll(/([A-Za-z][\w-]*)=\[([^\]]*)\]/g)];
  if (bracketed.length > 0) {
    for (const [, type = '', ids = ''] of bracketed) {
      for (const id of ids.split(',')) if (id.trim() !== '') yield [type, id.trim()];
    }
    return;
  }

  for (const entry of text.split(/[;,\n]/)) {
    const match = /^\s*([A-Za-z][\w-]*)\s*(?::|\s#)\s*(\S.*?)\s*$/.exec(entry);
    if (match?.[1] !== undefined && match[2] !== undefined) yield [match[1], match[2]];
  }
}
