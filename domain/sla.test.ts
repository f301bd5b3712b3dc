import { describe, expect, it } from 'vitest';
import { endOfUtcDay, escalationSchedule, parseDuration, slaDeadline } from './sla.js';

const slaDurations = { P1: '7 days', P2: '30 days', P3: '90 days', P4: '180 days' };
const clockStartAt = new Date('2025-03-10T12:00:00.000Z');

describe('slaDeadline', () => {
  it('priority duration without KEV', () => {
    const result = slaDeadline({ priority: 'P2', clockStartAt, slaDurations, kevDueDate: null });
    expect(result.dueAt.toISOString()).toBe('2025-04-09T12:00:00.000Z');
    expect(result.pastCisaDueDate).toBe(false);
  });

  it('short durations in seconds and minutes', () => {
    const durations = { P1: '30s', P2: '90m', P3: '2h', P4: '1d' };
    expect(slaDeadline({ priority: 'P1', clockStartAt, slaDurations: durations, kevDueDate: null }).dueAt.toISOString()).toBe(
      '2025-03-10T12:00:30.000Z',
    );
    expect(slaDeadline({ priority: 'P2', clockStartAt, slaDurations: durations, kevDueDate: null }).dueAt.toISOString()).toBe(
      '2025-03-10T13:30:00.000Z',
    );
  });

  it('future KEV due date shortens the deadline', () => {
    const result = slaDeadline({ priority: 'P1', clockStartAt, slaDurations, kevDueDate: '2025-03-12' });
    expect(result.dueAt.toISOString()).toBe('2025-03-12T23:59:59.999Z');
    expect(result.pastCisaDueDate).toBe(false);
  });

  it('KEV due date after the SLA deadline is ignored', () => {
    const result = slaDeadline({ priority: 'P1', clockStartAt, slaDurations, kevDueDate: '2025-04-30' });
    expect(result.dueAt.toISOString()).toBe('2025-03-17T12:00:00.000Z');
    expect(result.pastCisaDueDate).toBe(false);
  });

  it('KEV due date of the same day is not past', () => {
    const result = slaDeadline({ priority: 'P1', clockStartAt, slaDurations, kevDueDate: '2025-03-10' });
    expect(result.dueAt.toISOString()).toBe('2025-03-10T23:59:59.999Z');
    expect(result.pastCisaDueDate).toBe(false);
  });

  it('past KEV due date breaches at clock start', () => {
    const result = slaDeadline({ priority: 'P1', clockStartAt, slaDurations, kevDueDate: '2025-03-09' });
    expect(result.dueAt.toISOString()).toBe(clockStartAt.toISOString());
    expect(result.pastCisaDueDate).toBe(true);
  });

  it('invalid duration is rejected', () => {
    const durations = { ...slaDurations, P3: 'soon' };
    expect(() => slaDeadline({ priority: 'P3', clockStartAt, slaDurations: durations, kevDueDate: null })).toThrow(
      'invalid SLA duration for P3 "soon"',
    );
  });

  it('invalid KEV due date is rejected', () => {
    expect(() => slaDeadline({ priority: 'P1', clockStartAt, slaDurations, kevDueDate: '2025-02-30' })).toThrow(TypeError);
    expect(() => slaDeadline({ priority: 'P1', clockStartAt, slaDurations, kevDueDate: '03/12/2025' })).toThrow(
      'invalid KEV due date "03/12/2025"',
    );
  });
});

describe('parseDuration and endOfUtcDay', () => {
  it('parses Temporal duration strings', () => {
    expect(parseDuration('7 days', 'x')).toBe(7 * 24 * 3600 * 1000);
    expect(parseDuration('90m', 'x')).toBe(90 * 60 * 1000);
    expect(parseDuration('2 weeks', 'x')).toBe(14 * 24 * 3600 * 1000);
  });

  it('end of a UTC day', () => {
    expect(endOfUtcDay('2024-02-29').toISOString()).toBe('2024-02-29T23:59:59.999Z');
  });
});

describe('escalationSchedule', () => {
  const dueAt = new Date('2025-03-10T12:01:40.000Z');

  it('one notice per fraction of the window', () => {
    const notices = escalationSchedule({
      cve: 'CVE-2025-0001',
      clockStartAt,
      dueAt,
      pastCisaDueDate: false,
      fractions: [0.5, 0.75, 1],
      chain: ['patch-operations', 'security-lead', 'ciso'],
    });
    expect(notices.map((notice) => notice.dueAt)).toEqual([
      '2025-03-10T12:00:50.000Z',
      '2025-03-10T12:01:15.000Z',
      '2025-03-10T12:01:40.000Z',
    ]);
    expect(notices.map((notice) => notice.recipient)).toEqual(['patch-operations', 'security-lead', 'ciso']);
    expect(notices.map((notice) => notice.fraction)).toEqual([0.5, 0.75, 1]);
    expect(notices.every((notice) => notice.reason === 'threshold' && notice.cve === 'CVE-2025-0001')).toBe(true);
  });

  it('short chain repeats its last recipient', () => {
    const notices = escalationSchedule({
      cve: 'CVE-2025-0001',
      clockStartAt,
      dueAt,
      pastCisaDueDate: false,
      fractions: [0.25, 0.5, 0.75, 1],
      chain: ['patch-operations', 'security-lead'],
    });
    expect(notices.map((notice) => notice.recipient)).toEqual([
      'patch-operations',
      'security-lead',
      'security-lead',
      'security-lead',
    ]);
  });

  it('unsorted fractions climb the chain in time order', () => {
    const notices = escalationSchedule({
      cve: 'CVE-2025-0001',
      clockStartAt,
      dueAt,
      pastCisaDueDate: false,
      fractions: [1, 0.5],
      chain: ['patch-operations', 'ciso'],
    });
    expect(notices.map((notice) => [notice.fraction, notice.recipient])).toEqual([
      [0.5, 'patch-operations'],
      [1, 'ciso'],
    ]);
  });

  it('past CISA due date sends one breach notice at once', () => {
    const notices = escalationSchedule({
      cve: 'CVE-2025-0001',
      clockStartAt,
      dueAt: clockStartAt,
      pastCisaDueDate: true,
      fractions: [0.5, 0.75, 1],
      chain: ['patch-operations', 'security-lead', 'ciso'],
    });
    expect(notices).toEqual([
      {
        cve: 'CVE-2025-0001',
        fraction: 1,
        recipient: 'ciso',
        dueAt: clockStartAt.toISOString(),
        reason: 'past-cisa-due-date',
      },
    ]);
  });

  it('empty chain is rejected', () => {
    expect(() =>
      escalationSchedule({ cve: 'CVE-2025-0001', clockStartAt, dueAt, pastCisaDueDate: false, fractions: [1], chain: [] }),
    ).toThrow(RangeError);
  });

  it('fraction above 1 is rejected', () => {
    expect(() =>
      escalationSchedule({ cve: 'CVE-2025-0001', clockStartAt, dueAt, pastCisaDueDate: false, fractions: [1.5], chain: ['a'] }),
    ).toThrow('escalation fraction 1.5 for CVE-2025-0001 is outside (0, 1]');
  });
});
