/**
 * CVSS vector strings (v2, v3.0, v3.1, v4.0) parsed into their metrics, and the
 * questions the scoring rules ask of a vector: how it is reached, what it needs,
 * and how much it can harm.
 *
 * Metric names and values are those of the FIRST specifications: CVSS v2 Complete
 * Guide, CVSS v3.0 and v3.1 Specification Documents, CVSS v4.0 Specification
 * Document. A vector lists each metric once, in any order; the order the
 * specifications recommend is not checked.
 */
import { InvalidCvssVectorError } from './errors.js';
import type { CvssMetric, CvssVersion } from './intel.js';

/** A parsed vector: every metric it names, abbreviated as in the vector (`{ AV: 'N', AC: 'L' }`). */
export interface CvssVector {
  version: CvssVersion;
  /** The vector string as given, without surrounding white space. */
  vector: string;
  metrics: Readonly<Record<string, string>>;
}

export type AttackVector = 'network' | 'adjacent' | 'local' | 'physical';

export type ImpactLevel = 'high' | 'low' | 'none';

export interface ImpactLevels {
  confidentiality: ImpactLevel;
  integrity: ImpactLevel;
  availability: ImpactLevel;
}

export type PrivilegesRequired = 'none' | 'low' | 'high';

/** Allowed values per metric, and whether the metric belongs to the mandatory base group. */
interface MetricRule {
  values: readonly string[];
  base: boolean;
}

function metricTable(base: Record<string, string>, optional: Record<string, string>): ReadonlyMap<string, MetricRule> {
  const table = new Map<string, MetricRule>();
  for (const [name, values] of Object.entries(base)) table.set(name, { values: values.split(','), base: true });
  for (const [name, values] of Object.entries(optional)) table.set(name, { values: values.split(','), base: false });
  return table;
}

const V2_METRICS = metricTable(
  { AV: 'L,A,N', AC: 'H,M,L', Au: 'M,S,N', C: 'N,P,C', I: 'N,P,C', A: 'N,P,C' },
  {
    E: 'U,POC,F,H,ND',
    RL: 'OF,TF,W,U,ND',
    RC: 'UC,UR,C,ND',
    CDP: 'N,L,LM,MH,H,ND',
    TD: 'N,L,M,H,ND',
    CR: 'L,M,H,ND',
    IR: 'L,M,H,ND',
    AR: 'L,M,H,ND',
  },
);

const V3_METRICS = metricTable(
  { AV: 'N,A,L,P', AC: 'L,H', PR: 'N,L,H', UI: 'N,R', S: 'U,C', C: 'H,L,N', I: 'H,L,N', A: 'H,L,N' },
  {
    E: 'X,H,F,P,U',
    RL: 'X,U,W,T,O',
    RC: 'X,C,R,U',
    CR: 'X,H,M,L',
    IR: 'X,H,M,L',
    AR: 'X,H,M,L',
    MAV: 'X,N,A,L,P',
    MAC: 'X,L,H',
    MPR: 'X,N,L,H',
    MUI: 'X,N,R',
    MS: 'X,U,C',
    MC: 'X,H,L,N',
    MI: 'X,H,L,N',
    MA: 'X,H,L,N',
  },
);

const V4_METRICS = metricTable(
  {
    AV: 'N,A,L,P',
    AC: 'L,H',
    AT: 'N,P',
    PR: 'N,L,H',
    UI: 'N,P,A',
    VC: 'H,L,N',
    VI: 'H,L,N',
    VA: 'H,L,N',
    SC: 'H,L,N',
    SI: 'H,L,N',
    SA: 'H,L,N',
  },
  {
    E: 'X,A,P,U',
    CR: 'X,H,M,L',
    IR: 'X,H,M,L',
    AR: 'X,H,M,L',
    MAV: 'X,N,A,L,P',
    MAC: 'X,L,H',
    MAT: 'X,N,P',
    MPR: 'X,N,L,H',
    MUI: 'X,N,P,A',
    MVC: 'X,H,L,N',
    MVI: 'X,H,L,N',
    MVA: 'X,H,L,N',
    MSC: 'X,H,L,N',
    MSI: 'X,S,H,L,N',
    MSA: 'X,S,H,L,N',
    S: 'X,N,P',
    AU: 'X,N,Y',
    R: 'X,A,U,I',
    V: 'X,D,C',
    RE: 'X,L,M,H',
    U: 'X,Clear,Green,Amber,Red',
  },
);

const METRICS_BY_VERSION: Record<CvssVersion, ReadonlyMap<string, MetricRule>> = {
  '2.0': V2_METRICS,
  '3.0': V3_METRICS,
  '3.1': V3_METRICS,
  '4.0': V4_METRICS,
};

const VERSION_PREFIX = /^CVSS:([^/]*)\/(.*)$/;

/**
 * Parses a CVSS vector string. Versions 3.0, 3.1 and 4.0 start with `CVSS:<version>/`.
 * Anything else is read as v2, which has no prefix of its own. Around a v2 vector
 * the `CVSS2#` prefix that Nessus writes and the parentheses of older NVD feeds are
 * accepted.
 *
 * @throws InvalidCvssVectorError for an empty string, an unsupported version, a
 *   part that is not `METRIC:VALUE`, an unknown metric or value, a repeated metric,
 *   or a missing base metric.
 */
export function parseCvssVector(vector: string): CvssVector {
  const text = vector.trim();
  const { version, body } = splitVersion(text, vector);
  const rules = METRICS_BY_VERSION[version];

  const metrics: Record<string, string> = {};
  for (const part of body.split('/')) {
    const [name, value, extra] = part.split(':');
    if (name === undefined || name === '' || value === undefined || value === '' || extra !== undefined) {
      throw new InvalidCvssVectorError(vector, `part "${part}" is not of the form METRIC:VALUE`);
    }

    const rule = rules.get(name);
    if (rule === undefined) {
      throw new InvalidCvssVectorError(vector, `"${name}" is not a CVSS ${version} metric`);
    }
    if (Object.hasOwn(metrics, name)) {
      throw new InvalidCvssVectorError(vector, `metric ${name} appears more than once`);
    }
    if (!rule.values.includes(value)) {
      throw new InvalidCvssVectorError(vector, `metric ${name} has invalid value "${value}", expected one of ${rule.values.join(', ')}`);
    }
    metrics[name] = value;
  }

  const missing = [...rules].filter(([name, rule]) => rule.base && !Object.hasOwn(metrics, name)).map(([name]) => name);
  if (missing.length > 0) {
    throw new InvalidCvssVectorError(vector, `base metric${missing.length === 1 ? '' : 's'} ${missing.join(', ')} missing`);
  }

  return { version, vector: text, metrics };
}

function splitVersion(text: string, original: string): { version: CvssVersion; body: string } {
  if (text === '') throw new InvalidCvssVectorError(original, 'the vector is empty');

  const prefixed = VERSION_PREFIX.exec(text);
  if (prefixed !== null) {
    const [, version = '', body = ''] = prefixed;
    if (version !== '3.0' && version !== '3.1' && version !== '4.0') {
      throw new InvalidCvssVectorError(original, `CVSS version "${version}" is not supported. Expected 3.0, 3.1 or 4.0 after "CVSS:", or a v2 vector without a prefix`);
    }
    return { version, body };
  }
  if (text.startsWith('CVSS:')) {
    throw new InvalidCvssVectorError(original, 'expected "/" after the version, as in "CVSS:3.1/AV:N/..."');
  }

  let body = text.startsWith('CVSS2#') ? text.slice('CVSS2#'.length) : text;
  if (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1);
  return { version: '2.0', body };
}

/** Reads a parsed vector, or parses a string. */
function toVector(vector: CvssVector | string): CvssVector {
  return typeof vector === 'string' ? parseCvssVector(vector) : vector;
}

/** Returns a base metric's value. Parsing guarantees that every base metric is present. */
function baseMetric(vector: CvssVector, name: string): string {
  const value = vector.metrics[name];
  if (value === undefined) throw new InvalidCvssVectorError(vector.vector, `base metric ${name} missing`);
  return value;
}

const ATTACK_VECTORS: Record<string, AttackVector> = { N: 'network', A: 'adjacent', L: 'local', P: 'physical' };

/** Returns the base attack vector (`AV`). */
export function getAttackVector(vector: CvssVector | string): AttackVector {
  const parsed = toVector(vector);
  return ATTACK_VECTORS[baseMetric(parsed, 'AV')]!;
}

/**
 * Returns the privileges an attacker needs (`PR`), or null for v2. The v2
 * Authentication metric (`Au`) counts logins to the vulnerable service, not the
 * privileges behind them, so it is not translated.
 */
export function getPrivilegesRequired(vector: CvssVector | string): PrivilegesRequired | null {
  const parsed = toVector(vector);
  if (parsed.version === '2.0') return null;

  const value = baseMetric(parsed, 'PR');
  if (value === 'N') return 'none';
  if (value === 'L') return 'low';
  return 'high';
}

/**
 * Tells whether a user other than the attacker must take part: v3 `UI:R`, v4
 * `UI:P` (passive) or `UI:A` (active). Returns null for v2, which has no such metric.
 */
export function requiresUserInteraction(vector: CvssVector | string): boolean | null {
  const parsed = toVector(vector);
  if (parsed.version === '2.0') return null;
  return baseMetric(parsed, 'UI') !== 'N';
}

/**
 * Returns the confidentiality, integrity and availability impact. v2 `C`
 * (complete) counts as high and `P` (partial) as low. For v4 these are the
 * impacts on the vulnerable system (`VC`, `VI`, `VA`). The subsequent-system
 * impacts (`SC`, `SI`, `SA`) are left in `metrics`.
 */
export function getImpactLevels(vector: CvssVector | string): ImpactLevels {
  const parsed = toVector(vector);
  const [c, i, a] = parsed.version === '4.0' ? ['VC', 'VI', 'VA'] : ['C', 'I', 'A'];
  return {
    confidentiality: toImpactLevel(baseMetric(parsed, c!)),
    integrity: toImpactLevel(baseMetric(parsed, i!)),
    availability: toImpactLevel(baseMetric(parsed, a!)),
  };
}

function toImpactLevel(value: string): ImpactLevel {
  if (value === 'H' || value === 'C') return 'high';
  if (value === 'L' || value === 'P') return 'low';
  return 'none';
}

/**
 * Tells whether an attacker can exploit the flaw over the network with no
 * account, no special conditions and nobody's help, so that scanning and
 * exploitation can be automated across many targets. Per version:
 *
 * - v3.0/3.1: `AV:N/AC:L/PR:N/UI:N`.
 * - v4.0: `AV:N/AC:L/AT:N/PR:N/UI:N`. v4 moved the conditions outside the
 *   attacker's control from `AC` to Attack Requirements (`AT`), so `AT:P` is
 *   excluded as v3 `AC:H` is.
 * - v2: `AV:N/AC:L/Au:N`. v2 has no user-interaction metric, and its guide puts
 *   attacks that need social engineering under `AC:M` and `AC:H`, so `AC:L`
 *   is read as "no user interaction".
 */
export function isNetworkAutomatable(vector: CvssVector | string): boolean {
  const parsed = toVector(vector);
  const metric = (name: string): string => baseMetric(parsed, name);

  switch (parsed.version) {
    case '2.0':
      return metric('AV') === 'N' && metric('AC') === 'L' && metric('Au') === 'N';
    case '3.0':
    case '3.1':
      return metric('AV') === 'N' && metric('AC') === 'L' && metric('PR') === 'N' && metric('UI') === 'N';
    case '4.0':
      return (
        metric('AV') === 'N' && metric('AC') === 'L' && metric('AT') === 'N' && metric('PR') === 'N' && metric('UI') === 'N'
      );
  }
}

const VERSION_RANK: Record<CvssVersion, number> = { '4.0': 4, '3.1': 3, '3.0': 2, '2.0': 1 };

/**
 * Picks the metric of the newest CVSS version in the list. Within one version a
 * `Primary` (NVD) score wins over a `Secondary` (CNA) one, and then the first in
 * the list wins. Returns null for an empty list.
 */
export function newestCvssMetric(metrics: readonly CvssMetric[]): CvssMetric | null {
  let best: CvssMetric | null = null;
  for (const metric of metrics) {
    if (best === null || compareMetrics(metric, best) > 0) best = metric;
  }
  return best;
}

function compareMetrics(a: CvssMetric, b: CvssMetric): number {
  const byVersion = VERSION_RANK[a.version] - VERSION_RANK[b.version];
  if (byVersion !== 0) return byVersion;
  return Number(a.type === 'Primary') - Number(b.type === 'Primary');
}
