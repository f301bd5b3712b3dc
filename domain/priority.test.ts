import { describe, expect, it } from 'vitest';
import { assignPriority, highestPriority } from './priority.js';

describe('assignPriority', () => {
  it('P1 for a KEV entry', () => {
    const result = assignPriority({ kev: true, epss: 0.01, cvss: 5.0 });
    expect(result.priority).toBe('P1');
    expect(result.reasons).toEqual(['in CISA KEV']);
  });

  it('P1 for EPSS at the threshold', () => {
    const result = assignPriority({ kev: false, epss: 0.5, cvss: null });
    expect(result.priority).toBe('P1');
    expect(result.reasons).toEqual(['EPSS 0.5 >= 0.5']);
  });

  it('P1 for CVSS 9.0', () => {
    const result = assignPriority({ kev: false, epss: null, cvss: 9.0 });
    expect(result.priority).toBe('P1');
    expect(result.reasons).toEqual(['CVSS 9.0 >= 9.0']);
  });

  it('P1 lists every rule that fired', () => {
    const result = assignPriority({ kev: true, epss: 0.94, cvss: 9.8 });
    expect(result.priority).toBe('P1');
    expect(result.reasons).toEqual(['in CISA KEV', 'EPSS 0.94 >= 0.5', 'CVSS 9.8 >= 9.0']);
  });

  it('P2 for CVSS 7.0 and EPSS below the P1 threshold', () => {
    const result = assignPriority({ kev: false, epss: 0.2, cvss: 7.0 });
    expect(result.priority).toBe('P2');
    expect(result.reasons).toEqual(['CVSS 7.0 >= 7.0', 'EPSS 0.2 >= 0.1']);
  });

  it('P2 for EPSS alone', () => {
    const result = assignPriority({ kev: false, epss: 0.1, cvss: 2.0 });
    expect(result.priority).toBe('P2');
    expect(result.reasons).toEqual(['EPSS 0.1 >= 0.1']);
  });

  it('P3 for a medium CVSS', () => {
    const result = assignPriority({ kev: false, epss: 0.09, cvss: 4.0 });
    expect(result.priority).toBe('P3');
    expect(result.reasons).toEqual(['CVSS 4.0 >= 4.0']);
  });

  it('P4 when no rule fires', () => {
    const result = assignPriority({ kev: false, epss: 0.01, cvss: 3.9 });
    expect(result.priority).toBe('P4');
    expect(result.reasons).toEqual(['not in CISA KEV, CVSS 3.9 < 4.0, EPSS 0.01']);
  });

  it('P4 without any scores', () => {
    const result = assignPriority({ kev: false, epss: null, cvss: null });
    expect(result.priority).toBe('P4');
    expect(result.reasons).toEqual(['not in CISA KEV, no CVSS score, no EPSS score']);
  });

  it('custom EPSS thresholds', () => {
    const thresholds = { epssP1: 0.9, epssP2: 0.3 };
    expect(assignPriority({ kev: false, epss: 0.6, cvss: null, thresholds }).priority).toBe('P2');
    expect(assignPriority({ kev: false, epss: 0.2, cvss: null, thresholds }).priority).toBe('P4');
    expect(assignPriority({ kev: false, epss: 0.9, cvss: null, thresholds }).reasons).toEqual(['EPSS 0.9 >= 0.9']);
  });
});

describe('highestPriority', () => {
  it('picks the most urgent', () => {
    expect(highestPriority(['P3', 'P1', 'P4'])).toBe('P1');
    expect(highestPriority(['P4', 'P2'])).toBe('P2');
  });

  it('empty list gives null', () => {
    expect(highestPriority([])).toBeNull();
  });
});
