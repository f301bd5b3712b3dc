import { describe, expect, it } from 'vitest';
import { DEFAULT_OBSERVED_TECHNIQUE_POLICY, type TechniqueSighting, indexSightings } from './attack.js';
import { assetContextFromTags, scannerCvssMetrics } from './finding-context.js';
import { type CveIntel, type FindingScoreInput, type FindingScoringPolicy, scoreFinding } from './finding-score.js';
import { DEFAULT_RISK_CONFIG } from './risk-config.js';
import { DEFAULT_SSVC_POLICY } from './ssvc.js';

const policy: FindingScoringPolicy = {
  risk: DEFAULT_RISK_CONFIG,
  ssvc: DEFAULT_SSVC_POLICY,
  sla: { P1: '7 days', P2: '30 days', P3: '90 days', P4: '180 days' },
  attack: DEFAULT_OBSERVED_TECHNIQUE_POLICY,
};

const firstSeenAt = new Date('2026-01-10T00:00:00.000Z');

const kevCve: CveIntel = {
  cve: 'CVE-2024-3400',
  kev: { dueDate: '2026-01-12', knownRansomwareCampaignUse: 'Known' },
  epss: { epss: 0.95, percentile: 0.99 },
  cvssMetrics: [{ version: '3.1', baseScore: 10, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', source: 'nvd@nist.gov', type: 'Primary' }],
  exploitReference: null,
  mappedTechniqueIds: [],
};

const quietCve: CveIntel = {
  cve: 'CVE-2020-0001',
  kev: null,
  epss: { epss: 0.001, percentile: 0.1 },
  cvssMetrics: [{ version: '3.1', baseScore: 4.3, vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N', source: 'nvd@nist.gov', type: 'Primary' }],
  exploitReference: null,
  mappedTechniqueIds: ['T1190', 'T1059.004'],
};

const now = new Date('2026-01-20T00:00:00.000Z');

function sighting(techniqueId: string, seenAt: string): TechniqueSighting {
  return { techniqueId, seenAt: new Date(seenAt), kind: 'edr-detection', id: 'det-1 (crowdstrike)' };
}

function input(overrides: Partial<FindingScoreInput>): FindingScoreInput {
  return {
    cves: [],
    scannerMetrics: [],
    exploitAvailable: false,
    asset: assetContextFromTags({}),
    firstSeenAt,
    incidentClockStartAt: new Map(),
    mitigations: [],
    sightings: new Map(),
    now,
    ...overrides,
  };
}

describe('scoreFinding', () => {
  it('takes the highest CVE score', () => {
    const alone = scoreFinding(input({ cves: [kevCve] }), policy);
    const both = scoreFinding(input({ cves: [quietCve, kevCve] }), policy);

    expect(both.score).toBe(alone.score);
    expect(both.explanation.topCve).toBe('CVE-2024-3400');
    expect(both.kev).toBe(true);
    expect(both.explanation.cves).toHaveLength(2);
  });

  it('takes the earliest due date', () => {
    const score = scoreFinding(input({ cves: [quietCve, kevCve] }), policy);

    // The KEV due date, end of that day in UTC, comes before 7 days after first seen.
    expect(score.dueAt).toBe('2026-01-12T23:59:59.999Z');
    expect(score.explanation.sla.cve).toBe('CVE-2024-3400');
  });

  it('takes the most urgent SSVC decision', () => {
    const score = scoreFinding(input({ cves: [quietCve, kevCve], asset: assetContextFromTags({ criticality: 1 }) }), policy);

    expect(score.ssvcDecision).toBe('Act');
    expect(score.explanation.ssvc.cve).toBe('CVE-2024-3400');
  });

  it('scores a finding without CVEs from scanner CVSS', () => {
    const score = scoreFinding(
      input({ scannerMetrics: scannerCvssMetrics({ cvss3Score: 7.5, cvss3Vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', cvss2Score: null, cvss2Vector: null }, 'nessus') }),
      policy,
    );

    expect(score.explanation.topCve).toBeNull();
    expect(score.explanation.factors.find((factor) => factor.factor === 'cvss')?.input).toBe('CVSS 3.0 7.5 (nessus)');
    expect(score.score).toBe(30);
  });

  it('prefers NVD CVSS over the scanner', () => {
    const scanner = scannerCvssMetrics({ cvss3Score: 9.8, cvss3Vector: null, cvss2Score: null, cvss2Vector: null }, 'nessus');
    const score = scoreFinding(input({ cves: [quietCve], scannerMetrics: scanner }), policy);

    expect(score.explanation.factors.find((factor) => factor.factor === 'cvss')?.input).toContain('nvd@nist.gov');
  });

  it('applies a mitigation covering the CVE', () => {
    const plain = scoreFinding(input({ cves: [kevCve] }), policy);
    const mitigated = scoreFinding(input({ cves: [kevCve], mitigations: [{ kind: 'waf', cves: ['CVE-2024-3400'] }] }), policy);
    const elsewhere = scoreFinding(input({ cves: [kevCve], mitigations: [{ kind: 'waf', cves: ['CVE-2020-0001'] }] }), policy);

    expect(mitigated.score).toBeLessThan(plain.score);
    expect(elsewhere.score).toBe(plain.score);
  });

  it('starts the clock at the incident', () => {
    const clock = new Date('2026-01-11T08:00:00.000Z');
    const score = scoreFinding(input({ cves: [quietCve], incidentClockStartAt: new Map([['CVE-2020-0001', clock]]) }), policy);

    expect(score.explanation.sla.clockStartAt).toBe(clock.toISOString());
  });

  it('marks assumed asset context', () => {
    const score = scoreFinding(input({ cves: [quietCve] }), policy);
    const criticality = score.explanation.factors.find((factor) => factor.factor === 'asset-criticality');

    expect(criticality?.input).toContain('tier 2 is assumed');
    expect(score.explanation.ssvc.inputs.missionWellBeing.source).toBe('default');
  });

  it('reuses an assessment across findings', () => {
    const cache = new Map();
    const early = scoreFinding(input({ cves: [quietCve] }), policy, cache);
    const late = scoreFinding(input({ cves: [quietCve], firstSeenAt: new Date('2026-03-01T00:00:00.000Z') }), policy, cache);
    const uncached = scoreFinding(input({ cves: [quietCve], firstSeenAt: new Date('2026-03-01T00:00:00.000Z') }), policy);

    expect(cache.size).toBe(1);
    expect(late.score).toBe(early.score);
    expect(late.dueAt).not.toBe(early.dueAt);
    expect(late).toEqual(uncached);
  });

  it('keeps contexts apart in the cache', () => {
    const cache = new Map();
    const internal = scoreFinding(input({ cves: [quietCve] }), policy, cache);
    const exposed = scoreFinding(input({ cves: [quietCve], asset: assetContextFromTags({ exposure: 'internet-facing' }) }), policy, cache);

    expect(cache.size).toBe(2);
    expect(exposed.score).toBeGreaterThan(internal.score);
  });

  it('raises a mapped technique seen recently', () => {
    const plain = scoreFinding(input({ cves: [quietCve] }), policy);
    const seen = scoreFinding(input({ cves: [quietCve], sightings: indexSightings([sighting('T1059', '2026-01-15T00:00:00Z')]) }), policy);
    const factor = seen.explanation.factors.find((item) => item.factor === 'observed-technique');

    expect(seen.score).toBe(plain.score + 10);
    expect(factor?.contribution).toBe(10);
    expect(factor?.input).toBe('T1059 seen within 30 days: edr-detection det-1 (crowdstrike)');
  });

  it('ignores a sighting before the window', () => {
    const seen = scoreFinding(input({ cves: [quietCve], sightings: indexSightings([sighting('T1059', '2025-12-20T23:59:59Z')]) }), policy);
    const factor = seen.explanation.factors.find((item) => item.factor === 'observed-technique');

    expect(factor?.contribution).toBe(0);
    expect(factor?.input).toBe('T1190, T1059.004: not seen within 30 days');
  });

  it('falls back to rules without mappings', () => {
    // CVE-2024-3400 has no mapping here, and its network vector without user interaction on an internal asset picks T1210.
    const seen = scoreFinding(input({ cves: [kevCve], sightings: indexSightings([sighting('T1210', '2026-01-15T00:00:00Z')]) }), policy);
    const factor = seen.explanation.factors.find((item) => item.factor === 'observed-technique');

    expect(factor?.input).toMatch(/^T1210 seen within 30 days/);
    expect(factor?.contribution).toBeGreaterThan(0);
  });

  it('follows the policy weight', () => {
    const heavy = { ...policy, attack: { sightingWindow: '30 days', sightingWeight: 20 } };
    const plain = scoreFinding(input({ cves: [quietCve] }), heavy);
    const seen = scoreFinding(input({ cves: [quietCve], sightings: indexSightings([sighting('T1190', '2026-01-15T00:00:00Z')]) }), heavy);

    expect(seen.score).toBe(plain.score + 20);
  });
});
