import { describe, expect, it } from 'vitest';

import {
  type AttackMapping,
  type TechniqueSighting,
  fallbackTechniques,
  indexSightings,
  raiseForObservedTechniques,
  resolveTechniques,
  sightingsOf,
} from './attack.js';
import { InvalidCvssVectorError } from './errors.js';
import { type RiskScore, scoreRisk } from './risk.js';

const NETWORK_RCE = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const ADJACENT_RCE = 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const LOCAL_PRIVESC = 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H';
const DOCUMENT_RCE = 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H';
const BROWSER_RCE = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H';

function techniqueIds(cvssVector: string | null, exposure: Parameters<typeof fallbackTechniques>[0]['exposure']): string[] {
  return fallbackTechniques({ cve: 'CVE-2025-0001', cvssVector, exposure }).map((item) => item.techniqueId);
}

describe('fallbackTechniques T1190', () => {
  it('network flaw on internet-facing asset', () => {
    expect(techniqueIds(NETWORK_RCE, 'internet-facing')).toEqual(['T1190']);
  });

  it('v4 and v2 network flaws', () => {
    expect(techniqueIds('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'internet-facing')).toEqual(['T1190']);
    expect(techniqueIds('AV:N/AC:L/Au:N/C:P/I:P/A:P', 'internet-facing')).toEqual(['T1190']);
  });

  it('authenticated network flaw still counts', () => {
    expect(techniqueIds('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 'internet-facing')).toEqual(['T1190']);
  });

  it('carries the rule reason', () => {
    const [technique] = fallbackTechniques({ cve: 'CVE-2025-0001', cvssVector: NETWORK_RCE, exposure: 'internet-facing' });
    expect(technique?.techniqueName).toBe('Exploit Public-Facing Application');
    expect(technique?.mappingType).toBe('exploitation-technique');
    expect(technique?.source).toBe('fallback-rule');
    expect(technique?.reason).toContain('internet-facing');
  });
});

describe('fallbackTechniques T1210', () => {
  it('network flaw on internal asset', () => {
    expect(techniqueIds(NETWORK_RCE, 'internal')).toEqual(['T1210']);
  });

  it('unknown exposure counts as internal', () => {
    expect(techniqueIds(NETWORK_RCE, null)).toEqual(['T1210']);
  });

  it('adjacent flaw on internet-facing asset', () => {
    expect(techniqueIds(ADJACENT_RCE, 'internet-facing')).toEqual(['T1210']);
  });

  it('isolated asset gets no network technique', () => {
    expect(techniqueIds(NETWORK_RCE, 'isolated')).toEqual([]);
  });
});

describe('fallbackTechniques T1068', () => {
  it('local flaw with an account', () => {
    expect(techniqueIds(LOCAL_PRIVESC, 'internal')).toEqual(['T1068']);
  });

  it('applies whatever the exposure', () => {
    expect(techniqueIds(LOCAL_PRIVESC, 'internet-facing')).toEqual(['T1068']);
    expect(techniqueIds(LOCAL_PRIVESC, 'isolated')).toEqual(['T1068']);
  });

  it('v2 local flaw with complete integrity impact', () => {
    expect(techniqueIds('AV:L/AC:L/Au:N/C:C/I:C/A:C', 'internal')).toEqual(['T1068']);
  });

  it('local denial of service is not escalation', () => {
    expect(techniqueIds('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', 'internal')).toEqual([]);
  });

  it('local flaw without account is not escalation', () => {
    expect(techniqueIds('CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'internal')).toEqual([]);
  });
});

describe('fallbackTechniques T1203', () => {
  it('local file opened by a user', () => {
    expect(techniqueIds(DOCUMENT_RCE, 'internal')).toEqual(['T1203']);
  });

  it('network flaw needing a user', () => {
    expect(techniqueIds(BROWSER_RCE, 'internet-facing')).toEqual(['T1203']);
  });

  it('v4 passive user interaction', () => {
    expect(techniqueIds('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'internal')).toEqual(['T1203']);
  });

  it('physical access with a user is excluded', () => {
    expect(techniqueIds('CVSS:3.1/AV:P/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 'internal')).toEqual([]);
  });
});

describe('fallbackTechniques input', () => {
  it('no vector gives no technique', () => {
    expect(techniqueIds(null, 'internet-facing')).toEqual([]);
  });

  it('malformed vector is rejected', () => {
    expect(() => techniqueIds('CVSS:3.1/AV:N', 'internal')).toThrow(InvalidCvssVectorError);
  });
});

describe('resolveTechniques', () => {
  const mappings: AttackMapping[] = [
    { cve: 'CVE-2024-3400', techniqueId: 'T1190', mappingType: 'exploitation-technique', source: 'ctid-mappings-explorer' },
    { cve: 'CVE-2024-3400', techniqueId: 'T1059', mappingType: 'primary-impact', source: 'ctid-mappings-explorer' },
  ];

  it('mapped CVE uses its mappings', () => {
    const result = resolveTechniques({ cve: 'CVE-2024-3400', cvssVector: LOCAL_PRIVESC, exposure: 'internal', mappings });
    expect(result.map((item) => item.techniqueId)).toEqual(['T1190', 'T1059']);
  });

  it('unmapped CVE falls back', () => {
    const result = resolveTechniques({ cve: 'CVE-2025-0001', cvssVector: LOCAL_PRIVESC, exposure: 'internal', mappings });
    expect(result.map((item) => item.techniqueId)).toEqual(['T1068']);
    expect(result[0]?.source).toBe('fallback-rule');
  });
});

describe('raiseForObservedTechniques', () => {
  const now = new Date('2025-03-15T12:00:00.000Z');

  // 54.5 points, just below P1: CVSS 9.8, EPSS 0.5 at percentile 0.98, public exploit, internal tier 1 asset.
  const risk: RiskScore = scoreRisk({
    cvssMetrics: [{ version: '3.1', baseScore: 9.8, vector: NETWORK_RCE, source: 'nvd@nist.gov', type: 'Primary' }],
    epss: { epss: 0.5, percentile: 0.98 },
    kev: null,
    exploitAvailable: true,
    criticality: 1,
    exposure: 'internal',
    compensatingControls: [],
  });

  function sighting(techniqueId: string, seenAt: string, id = 'det-1'): TechniqueSighting {
    return { techniqueId, seenAt: new Date(seenAt), kind: 'edr-detection', id };
  }

  const options = { techniqueIds: ['T1210'], now, window: '14 days', weight: 10 };

  it('recent sighting raises score and priority', () => {
    const result = raiseForObservedTechniques(risk, { ...options, sightings: [sighting('T1210', '2025-03-10T00:00:00Z')] });
    expect(risk.score).toBe(54.5);
    expect(risk.priority).toBe('P2');
    expect(result.score).toBe(64.5);
    expect(result.priority).toBe('P1');
  });

  it('explanation still sums to the score', () => {
    const result = raiseForObservedTechniques(risk, { ...options, sightings: [sighting('T1210', '2025-03-10T00:00:00Z')] });
    const sum = result.factors.reduce((total, item) => total + item.contribution, 0);
    expect(sum).toBeCloseTo(result.score, 9);
    expect(result.factors.at(-1)?.factor).toBe('observed-technique');
    expect(result.factors.at(-1)?.input).toBe('T1210 seen within 14 days: edr-detection det-1');
  });

  it('sighting outside the window adds nothing', () => {
    const result = raiseForObservedTechniques(risk, { ...options, sightings: [sighting('T1210', '2025-02-28T11:59:59Z')] });
    expect(result.score).toBe(risk.score);
    expect(result.factors.at(-1)?.contribution).toBe(0);
  });

  it('sighting at the window start counts', () => {
    const result = raiseForObservedTechniques(risk, { ...options, sightings: [sighting('T1210', '2025-03-01T12:00:00Z')] });
    expect(result.score).toBe(risk.score + 10);
  });

  it('other technique adds nothing', () => {
    const result = raiseForObservedTechniques(risk, { ...options, sightings: [sighting('T1190', '2025-03-14T00:00:00Z')] });
    expect(result.score).toBe(risk.score);
  });

  it('sub-technique matches its parent', () => {
    const result = raiseForObservedTechniques(risk, {
      ...options,
      techniqueIds: ['T1059'],
      sightings: [sighting('T1059.004', '2025-03-14T00:00:00Z')],
    });
    expect(result.score).toBe(risk.score + 10);
  });

  it('incident sightings count', () => {
    const incident: TechniqueSighting = { techniqueId: 'T1210', seenAt: new Date('2025-03-14T00:00:00Z'), kind: 'incident', id: 'INC-7' };
    const result = raiseForObservedTechniques(risk, { ...options, sightings: [incident] });
    expect(result.score).toBe(risk.score + 10);
    expect(result.factors.at(-1)?.input).toContain('incident INC-7');
  });

  it('many sightings raise once', () => {
    const sightings = [1, 2, 3, 4, 5, 6, 7].map((day) => sighting('T1210', `2025-03-0${day + 2}T00:00:00Z`, `det-${day}`));
    const result = raiseForObservedTechniques(risk, { ...options, sightings });
    expect(result.score).toBe(risk.score + 10);
    expect(result.factors.at(-1)?.input).toContain('and 2 more');
  });

  it('lists a detection once', () => {
    const sightings = ['T1218', 'T1218.010', 'T1218.011'].map((techniqueId) => sighting(techniqueId, '2025-03-14T00:00:00Z'));
    const result = raiseForObservedTechniques(risk, { ...options, techniqueIds: ['T1218'], sightings });

    expect(result.factors.at(-1)?.input).toBe('T1218, T1218.010, T1218.011 seen within 14 days: edr-detection det-1');
  });

  it('score stays at or below 100', () => {
    const high: RiskScore = { score: 95, priority: 'P1', factors: [{ factor: 'kev', input: 'test', contribution: 95 }] };
    const result = raiseForObservedTechniques(high, { ...options, sightings: [sighting('T1210', '2025-03-14T00:00:00Z')] });
    expect(result.score).toBe(100);
    expect(result.factors.at(-1)?.contribution).toBe(5);
  });

  it('fractional weight is rounded', () => {
    const result = raiseForObservedTechniques(risk, { ...options, weight: 7.333, sightings: [sighting('T1210', '2025-03-14T00:00:00Z')] });
    expect(result.factors.at(-1)?.contribution).toBe(7.33);
    expect(result.score).toBe(61.83);
  });

  it('invalid window is rejected', () => {
    expect(() => raiseForObservedTechniques(risk, { ...options, window: 'recently', sightings: [] })).toThrow(TypeError);
  });

  it('negative weight is rejected', () => {
    expect(() => raiseForObservedTechniques(risk, { ...options, weight: -1, sightings: [] })).toThrow(RangeError);
  });
});

describe('sightingsOf', () => {
  const seenAt = new Date('2025-03-14T00:00:00Z');
  const sightings: TechniqueSighting[] = [
    { techniqueId: 'T1059.001', seenAt, kind: 'edr-detection', id: 'det-1' },
    { techniqueId: 'T1059', seenAt, kind: 'incident', id: 'INC-1' },
    { techniqueId: 'T1218', seenAt, kind: 'edr-detection', id: 'det-2' },
  ];
  const index = indexSightings(sightings);

  it('finds parent and sub-techniques', () => {
    expect(sightingsOf(index, ['T1059.004']).map((sighting) => sighting.id)).toEqual(['det-1', 'INC-1']);
  });

  it('returns each sighting once', () => {
    expect(sightingsOf(index, ['T1059', 'T1059.001', 'T1218'])).toHaveLength(3);
  });

  it('returns none for other techniques', () => {
    expect(sightingsOf(index, ['T1190'])).toEqual([]);
  });
});
