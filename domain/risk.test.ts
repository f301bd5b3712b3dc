import { describe, expect, it } from 'vitest';

import type { CvssMetric } from './intel.js';
import { DEFAULT_RISK_CONFIG, type RiskConfig } from './risk-config.js';
import {
  type RiskInput,
  type RiskScore,
  assessFindingRisk,
  priorityForScore,
  scoreRisk,
} from './risk.js';

function cvss(baseScore: number, version: CvssMetric['version'] = '3.1'): CvssMetric {
  return { version, baseScore, vector: '', source: 'nvd@nist.gov', type: 'Primary' };
}

/** A mid-range finding, so every factor has room to move up or down. */
const base: RiskInput = {
  cvssMetrics: [cvss(6.5)],
  epss: { epss: 0.05, percentile: 0.5 },
  kev: null,
  exploitAvailable: false,
  criticality: 3,
  exposure: 'internal',
  compensatingControls: [],
};

function contribution(result: RiskScore, factor: string): number | undefined {
  return result.factors.find((item) => item.factor === factor)?.contribution;
}

function sumOf(result: RiskScore): number {
  return result.factors.reduce((total, item) => total + item.contribution, 0);
}

describe('scoreRisk factors', () => {
  it('higher CVSS raises the score', () => {
    expect(scoreRisk({ ...base, cvssMetrics: [cvss(9.8)] }).score).toBeGreaterThan(scoreRisk(base).score);
  });

  it('higher EPSS probability raises the score', () => {
    expect(scoreRisk({ ...base, epss: { epss: 0.9, percentile: 0.5 } }).score).toBeGreaterThan(scoreRisk(base).score);
  });

  it('higher EPSS percentile raises the score', () => {
    expect(scoreRisk({ ...base, epss: { epss: 0.05, percentile: 0.99 } }).score).toBeGreaterThan(scoreRisk(base).score);
  });

  it('KEV listing raises the score', () => {
    const kev = { dueDate: '2025-01-31', knownRansomwareCampaignUse: 'Unknown' };
    expect(scoreRisk({ ...base, kev }).score).toBeGreaterThan(scoreRisk(base).score);
  });

  it('ransomware use raises the score', () => {
    const unknown = scoreRisk({ ...base, kev: { dueDate: '2025-01-31', knownRansomwareCampaignUse: 'Unknown' } });
    const known = scoreRisk({ ...base, kev: { dueDate: '2025-01-31', knownRansomwareCampaignUse: 'Known' } });
    expect(known.score).toBeGreaterThan(unknown.score);
  });

  it('public exploit raises the score', () => {
    expect(scoreRisk({ ...base, exploitAvailable: true }).score).toBeGreaterThan(scoreRisk(base).score);
  });

  it('more critical tier raises the score', () => {
    const scores = ([4, 3, 2, 1] as const).map((criticality) => scoreRisk({ ...base, criticality }).score);
    expect(scores[1]).toBeGreaterThan(scores[0]!);
    expect(scores[2]).toBeGreaterThan(scores[1]!);
    expect(scores[3]).toBeGreaterThan(scores[2]!);
  });

  it('wider exposure raises the score', () => {
    const isolated = scoreRisk({ ...base, exposure: 'isolated' }).score;
    const internal = scoreRisk({ ...base, exposure: 'internal' }).score;
    const internetFacing = scoreRisk({ ...base, exposure: 'internet-facing' }).score;
    expect(internal).toBeGreaterThan(isolated);
    expect(internetFacing).toBeGreaterThan(internal);
  });

  it('compensating controls lower the score', () => {
    const controlled = scoreRisk({ ...base, compensatingControls: ['waf-virtual-patch'] });
    expect(controlled.score).toBeLessThan(scoreRisk(base).score);
    expect(contribution(controlled, 'compensating-controls')).toBeLessThan(0);
  });

  it('several controls reduce once', () => {
    const oneControl = scoreRisk({ ...base, compensatingControls: ['waf-virtual-patch'] });
    const twoControls = scoreRisk({ ...base, compensatingControls: ['waf-virtual-patch', 'network-segmentation'] });
    expect(twoControls.score).toBe(oneControl.score);
  });

  it('newest CVSS version counts', () => {
    const result = scoreRisk({ ...base, cvssMetrics: [cvss(10, '2.0'), cvss(5, '3.1')] });
    expect(contribution(result, 'cvss')).toBe(10);
    expect(result.factors[0]?.input).toBe('CVSS 3.1 5.0 (nvd@nist.gov)');
  });

  it('missing CVSS and EPSS add nothing', () => {
    const result = scoreRisk({ ...base, cvssMetrics: [], epss: null });
    expect(contribution(result, 'cvss')).toBe(0);
    expect(contribution(result, 'epss-probability')).toBe(0);
    expect(contribution(result, 'epss-percentile')).toBe(0);
  });

  it('unknown tier counts as tier 2', () => {
    const unknown = scoreRisk({ ...base, criticality: null });
    expect(contribution(unknown, 'asset-criticality')).toBe(DEFAULT_RISK_CONFIG.criticality.tier2);
  });

  it('unknown exposure counts as internal', () => {
    const unknown = scoreRisk({ ...base, exposure: null });
    expect(contribution(unknown, 'exposure')).toBe(DEFAULT_RISK_CONFIG.exposure.internal);
  });
});

describe('scoreRisk explanation', () => {
  const inputs: [string, RiskInput][] = [
    ['base finding', base],
    ['KEV with controls', { ...base, kev: { dueDate: '2025-01-31', knownRansomwareCampaignUse: 'Known' }, compensatingControls: ['waf-virtual-patch'] }],
    ['odd decimals', { ...base, cvssMetrics: [cvss(7.3)], epss: { epss: 0.00043, percentile: 0.12345 }, compensatingControls: ['ips-signature'] }],
    ['nothing known', { ...base, cvssMetrics: [], epss: null, criticality: null, exposure: null }],
  ];

  it.each(inputs)('%s sums to the score', (_name, input) => {
    const result = scoreRisk(input);
    expect(sumOf(result)).toBeCloseTo(result.score, 9);
  });

  it('lists every factor once', () => {
    const names = scoreRisk(base).factors.map((item) => item.factor);
    expect(names).toEqual([
      'cvss',
      'epss-probability',
      'epss-percentile',
      'kev',
      'ransomware',
      'exploit-available',
      'asset-criticality',
      'exposure',
      'compensating-controls',
    ]);
  });

  it('contributions with default weights', () => {
    const result = scoreRisk({
      cvssMetrics: [cvss(9.8)],
      epss: { epss: 0.9, percentile: 0.99 },
      kev: { dueDate: '2024-04-19', knownRansomwareCampaignUse: 'Known' },
      exploitAvailable: true,
      criticality: 1,
      exposure: 'internet-facing',
      compensatingControls: ['waf-virtual-patch'],
    });
    expect(contribution(result, 'cvss')).toBe(19.6);
    expect(contribution(result, 'epss-probability')).toBe(9);
    expect(contribution(result, 'epss-percentile')).toBe(4.95);
    expect(contribution(result, 'kev')).toBe(25);
    expect(contribution(result, 'ransomware')).toBe(5);
    expect(contribution(result, 'exploit-available')).toBe(5);
    expect(contribution(result, 'asset-criticality')).toBe(15);
    expect(contribution(result, 'exposure')).toBe(15);
    // 25% of the 98.55 subtotal, rounded to 24.64.
    expect(contribution(result, 'compensating-controls')).toBe(-24.64);
    expect(result.score).toBe(73.91);
  });

  it('inputs name their values', () => {
    const result = scoreRisk({ ...base, kev: { dueDate: '2024-04-19', knownRansomwareCampaignUse: 'Known' } });
    expect(result.factors.find((item) => item.factor === 'kev')?.input).toBe('in CISA KEV, due 2024-04-19');
    expect(result.factors.find((item) => item.factor === 'ransomware')?.input).toBe('known ransomware campaign use');
  });
});

describe('scoreRisk priority', () => {
  it('KEV on internet-facing tier 1 is P1', () => {
    const result = scoreRisk({
      cvssMetrics: [],
      epss: null,
      kev: { dueDate: '2025-01-31', knownRansomwareCampaignUse: 'Unknown' },
      exploitAvailable: false,
      criticality: 1,
      exposure: 'internet-facing',
      compensatingControls: [],
    });
    expect(result.score).toBe(55);
    expect(result.priority).toBe('P1');
  });

  it('isolated tier 4 low CVSS is P4', () => {
    const result = scoreRisk({
      cvssMetrics: [cvss(3.1)],
      epss: { epss: 0.0004, percentile: 0.1 },
      kev: null,
      exploitAvailable: false,
      criticality: 4,
      exposure: 'isolated',
      compensatingControls: [],
    });
    expect(result.priority).toBe('P4');
  });

  it('compensating controls lower the priority', () => {
    // 70 points without the control, 52.5 with it.
    const input: RiskInput = {
      cvssMetrics: [cvss(7.5)],
      epss: null,
      kev: { dueDate: '2025-01-31', knownRansomwareCampaignUse: 'Unknown' },
      exploitAvailable: false,
      criticality: 1,
      exposure: 'internet-facing',
      compensatingControls: [],
    };
    const controlled = scoreRisk({ ...input, compensatingControls: ['waf-virtual-patch'] });
    expect(scoreRisk(input).priority).toBe('P1');
    expect(controlled.score).toBe(52.5);
    expect(controlled.priority).toBe('P2');
  });

  it('cut-offs are inclusive', () => {
    const cutoffs = DEFAULT_RISK_CONFIG.priorityCutoffs;
    expect(priorityForScore(55, cutoffs)).toBe('P1');
    expect(priorityForScore(54.99, cutoffs)).toBe('P2');
    expect(priorityForScore(40, cutoffs)).toBe('P2');
    expect(priorityForScore(20, cutoffs)).toBe('P3');
    expect(priorityForScore(19.99, cutoffs)).toBe('P4');
  });

  it('custom cut-offs apply', () => {
    const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, priorityCutoffs: { P1: 90, P2: 80, P3: 70 } };
    expect(scoreRisk(base, config).priority).toBe('P4');
  });
});

describe('scoreRisk validation', () => {
  it('weights above 100 in all are rejected', () => {
    const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, kev: 40 };
    expect(() => scoreRisk(base, config)).toThrow('risk weights allow a score of 115');
  });

  it('negative weight is rejected', () => {
    const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, exposure: { ...DEFAULT_RISK_CONFIG.exposure, isolated: -5 } };
    expect(() => scoreRisk(base, config)).toThrow('risk weight exposure.isolated is -5');
  });

  it('unordered cut-offs are rejected', () => {
    const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, priorityCutoffs: { P1: 40, P2: 55, P3: 20 } };
    expect(() => scoreRisk(base, config)).toThrow(RangeError);
  });

  it('reduction above 1 is rejected', () => {
    const config: RiskConfig = { ...DEFAULT_RISK_CONFIG, compensatingControlReduction: 1.5 };
    expect(() => scoreRisk(base, config)).toThrow('compensatingControlReduction 1.5 is outside 0..1');
  });

  it('CVSS above 10 is rejected', () => {
    expect(() => scoreRisk({ ...base, cvssMetrics: [cvss(98)] })).toThrow('CVSS 3.1 base score 98 is outside 0..10');
  });

  it('EPSS percentile above 1 is rejected', () => {
    expect(() => scoreRisk({ ...base, epss: { epss: 0.1, percentile: 95 } })).toThrow('EPSS percentile 95 is outside 0..1');
  });
});

describe('assessFindingRisk', () => {
  const slaDurations = { P1: '7 days', P2: '30 days', P3: '90 days', P4: '180 days' };
  const firstSeenAt = new Date('2025-03-01T08:00:00.000Z');

  it('clock starts at first seen outside incidents', () => {
    const result = assessFindingRisk({ ...base, firstSeenAt, incidentClockStartAt: null, slaDurations });
    expect(result.priority).toBe('P3');
    expect(result.clockStartAt).toBe('2025-03-01T08:00:00.000Z');
    expect(result.slaDueAt).toBe('2025-05-30T08:00:00.000Z');
  });

  it('clock starts with the incident', () => {
    const incidentClockStartAt = new Date('2025-03-10T12:00:00.000Z');
    const result = assessFindingRisk({ ...base, firstSeenAt, incidentClockStartAt, slaDurations });
    expect(result.clockStartAt).toBe('2025-03-10T12:00:00.000Z');
    expect(result.slaDueAt).toBe('2025-06-08T12:00:00.000Z');
  });

  it('KEV due date shortens the deadline', () => {
    const kev = { dueDate: '2025-03-05', knownRansomwareCampaignUse: 'Unknown' };
    const result = assessFindingRisk({ ...base, kev, firstSeenAt, incidentClockStartAt: null, slaDurations });
    expect(result.slaDueAt).toBe('2025-03-05T23:59:59.999Z');
    expect(result.pastCisaDueDate).toBe(false);
  });

  it('past KEV due date breaches at once', () => {
    const kev = { dueDate: '2025-02-01', knownRansomwareCampaignUse: 'Unknown' };
    const result = assessFindingRisk({ ...base, kev, firstSeenAt, incidentClockStartAt: null, slaDurations });
    expect(result.slaDueAt).toBe('2025-03-01T08:00:00.000Z');
    expect(result.pastCisaDueDate).toBe(true);
  });
});
