import { describe, expect, it } from 'vitest';
import { DEFAULT_OBSERVED_TECHNIQUE_POLICY } from '../domain/attack.js';
import { DEFAULT_RISK_CONFIG } from '../domain/risk-config.js';
import { DEFAULT_SSVC_POLICY } from '../domain/ssvc.js';
import { PolicyError, parsePolicy } from './policy.js';

function problemsOf(input: unknown): string[] {
  try {
    parsePolicy(input);
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  return [];
}

describe('risk and ssvc policy', () => {
  it('defaults to the domain weights', () => {
    expect(parsePolicy({}).risk).toEqual(DEFAULT_RISK_CONFIG);
  });

  it('defaults to the domain SSVC threshold', () => {
    expect(parsePolicy({}).ssvc).toEqual(DEFAULT_SSVC_POLICY);
  });

  it('keeps defaults beside an override', () => {
    const risk = parsePolicy({ risk: { kev: 20, criticality: { tier1: 10 } } }).risk;

    expect(risk.kev).toBe(20);
    expect(risk.criticality.tier1).toBe(10);
    expect(risk.criticality.tier2).toBe(DEFAULT_RISK_CONFIG.criticality.tier2);
  });

  it('rejects a negative weight', () => {
    expect(problemsOf({ risk: { kev: -1 } })).toEqual(['risk.kev: must be a number of points >= 0']);
  });

  it('rejects weights above 100', () => {
    const problems = problemsOf({ risk: { kev: 40 } });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^risk: risk weights allow a score of 115/);
  });

  it('rejects cut-offs out of order', () => {
    expect(problemsOf({ risk: { priorityCutoffs: { P2: 60 } } })[0]).toMatch(/^risk: .*must fall from P1 to P3/);
  });

  it('rejects an unknown weight', () => {
    expect(problemsOf({ risk: { cvs: 10 } })[0]).toMatch(/^risk: .*cvs/);
  });

  it('rejects a threshold above 1', () => {
    expect(problemsOf({ ssvc: { epssPocThreshold: 1.5 } })).toEqual(['ssvc.epssPocThreshold: must be at most 1']);
  });
});

describe('attack policy', () => {
  it('defaults to 30 days and 10 points', () => {
    expect(parsePolicy({}).attack).toEqual(DEFAULT_OBSERVED_TECHNIQUE_POLICY);
    expect(DEFAULT_OBSERVED_TECHNIQUE_POLICY).toEqual({ sightingWindow: '30 days', sightingWeight: 10 });
  });

  it('accepts a short duration', () => {
    expect(parsePolicy({ attack: { sightingWindow: '14d' } }).attack.sightingWindow).toBe('14d');
  });

  it('rejects an invalid window', () => {
    expect(problemsOf({ attack: { sightingWindow: 'a month' } })).toEqual([
      'attack.sightingWindow: must be a duration such as "7 days", "30m" or "90s"',
    ]);
  });

  it('rejects a negative weight', () => {
    expect(problemsOf({ attack: { sightingWeight: -5 } })).toEqual(['attack.sightingWeight: must be a number of points >= 0']);
  });

  it('rejects a weight above 100', () => {
    expect(problemsOf({ attack: { sightingWeight: 150 } })).toEqual(['attack.sightingWeight: must be at most 100, the highest score']);
  });

  it('rejects an unknown field', () => {
    expect(problemsOf({ attack: { window: '30 days' } })[0]).toMatch(/^attack: .*window/);
  });
});
