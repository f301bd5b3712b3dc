/**
 * Decides whether a product version lies inside the versions an NVD CPE match
 * names, so installed software can be matched to the CVEs that affect it.
 */
import { unescapeCpeValue } from './cpe-name.js';
import type { CpeMatch } from './intel.js';

/**
 * Words that mark a pre-release when they follow a version (`1.0rc1`,
 * `2.0-beta`), so the version without them is the later one. Any other word
 * marks a release after the version: OpenSSL's `1.1.1a`, PAN-OS's `10.2.9-h1`.
 */
const PRE_RELEASE_WORDS: ReadonlySet<string> = new Set(['alpha', 'beta', 'rc', 'pre', 'preview', 'dev', 'snapshot']);

type VersionToken = { kind: 'number'; digits: string } | { kind: 'word'; text: string };

/**
 * Compares two product versions. Returns a negative number when `left` is the
 * earlier one, 0 when they are equal, and a positive number otherwise.
 *
 * Dotted numeric versions compare as numbers, field by field, and a missing
 * field counts as 0: `1.10` is after `1.9`, and `115.0` equals `115.0.0`.
 *
 * Other versions fall back to runs: each version is split into runs of digits
 * and runs of letters, and any other character (`.`, `-`, `_`, `+`, ...) only
 * separates them. Runs compare in order. Two digit runs compare as numbers, two
 * letter runs ignoring case in code-point order, and a digit run is after a
 * letter run. A pre-release word (alpha, beta, rc, pre, preview, dev,
 * snapshot) is before any other letter run. When one version has no run left,
 * a further digit run compares against 0 (`1.0` equals `1.0.0`), a pre-release
 * word makes the longer version earlier (`1.0rc1` is before `1.0`), and any
 * other run makes it later (`1.0.2` is before `1.0.2k`).
 *
 * NOTE: an epoch or package revision of a distribution version (Debian
 * `1:2.30-1`, RPM `2.30-1.el9`) is compared as plain runs, as if it were a
 * version field.
 *
 * @throws RangeError when a version contains no digit and no letter.
 */
export function compareVersions(left: string, right: string): number {
  const leftTokens = tokenize(left);
  const rightTokens = tokenize(right);

  for (let i = 0; i < Math.max(leftTokens.length, rightTokens.length); i += 1) {
    const order = compareTokens(leftTokens[i], rightTokens[i]);
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Decides whether a product version is inside a CPE match: the version
 * attribute of its criteria and each bound of its range have to admit it.
 *
 * The criteria version `*` admits every version. `-` (not applicable) admits
 * none, because it names a product that has no versions. A value with a `*` or
 * `?` wildcard is matched as a pattern, ignoring case. Any other value has to
 * compare equal by `compareVersions`. Bounds compare by `compareVersions` too.
 *
 * @throws RangeError as `compareVersions` does, for a version with no digit and no letter.
 */
export function isVersionInCpeMatch(match: Pick<CpeMatch, 'cpe' | 'range'>, version: string): boolean {
  if (!criteriaVersionAdmits(match.cpe.version, version)) return false;

  const { startIncluding, startExcluding, endIncluding, endExcluding } = match.range;
  if (startIncluding !== null && compareVersions(version, startIncluding) < 0) return false;
  if (startExcluding !== null && compareVersions(version, startExcluding) <= 0) return false;
  if (endIncluding !== null && compareVersions(version, endIncluding) > 0) return false;
  if (endExcluding !== null && compareVersions(version, endExcluding) >= 0) return false;
  return true;
}

function criteriaVersionAdmits(criteriaVersion: string, version: string): boolean {
  if (criteriaVersion === '*') return true;
  if (criteriaVersion === '-') return false;

  if (hasWildcard(criteriaVersion)) return wildcardPattern(criteriaVersion).test(version);
  return compareVersions(unescapeCpeValue(criteriaVersion), version) === 0;
}

/** True when the value contains a `*` or `?` that no backslash escapes. */
function hasWildcard(value: string): boolean {
  return /(?:^|[^\\])(?:\\\\)*[*?]/.test(value);
}

/** Turns a CPE value with wildcards into a regular expression: `*` is any run of characters, `?` one character. */
function wildcardPattern(value: string): RegExp {
  let source = '';
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i]!;
    if (char === '\\') {
      i += 1;
      source += escapeRegExp(value[i] ?? '');
    } else if (char === '*') {
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tokenize(version: string): VersionToken[] {
  const tokens: VersionToken[] = [];
  for (const [run] of version.toLowerCase().matchAll(/\d+|[a-z]+/g)) {
    if (/^\d/.test(run)) {
      tokens.push({ kind: 'number', digits: run.replace(/^0+(?=\d)/, '') });
    } else {
      tokens.push({ kind: 'word', text: run });
    }
  }

  if (tokens.length === 0) {
    throw new RangeError(`cannot compare the version "${version}": it contains no digit and no letter`);
  }
  return tokens;
}

/** Order of token kinds, earliest first. `undefined` is the end of a version. */
function tokenRank(token: VersionToken | undefined): number {
  if (token === undefined) return 1;
  if (token.kind === 'number') return 3;
  return PRE_RELEASE_WORDS.has(token.text) ? 0 : 2;
}

function compareTokens(left: VersionToken | undefined, right: VersionToken | undefined): number {
  // A missing field before a digit run counts as 0, so `1.0` equals `1.0.0`.
  const zero: VersionToken = { kind: 'number', digits: '0' };
  const a = left === undefined && right?.kind === 'number' ? zero : left;
  const b = right === undefined && left?.kind === 'number' ? zero : right;

  const rankOrder = tokenRank(a) - tokenRank(b);
  if (rankOrder !== 0) return rankOrder;

  if (a?.kind === 'number' && b?.kind === 'number') return compareDigits(a.digits, b.digits);
  if (a?.kind === 'word' && b?.kind === 'word') return compareCodePoints(a.text, b.text);
  return 0;
}

/** Compares digit strings without leading zeros as numbers of any length. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return compareCodePoints(a, b);
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
