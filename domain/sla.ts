/**
 * SLA deadlines and escalation schedules. Pure functions: the clock is a parameter,
 * so workflows can call them with workflow time and tests with fixed dates.
 */
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { StringValue } from '@temporalio/common';
import type { EscalationNotice, Priority } from './incident.js';

const KEV_DUE_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface SlaDeadlineInput {
  priority: Priority;
  clockStartAt: Date;
  /** SLA length per priority as a duration string (`'7 days'`, `'30s'`, `'90m'`). */
  slaDurations: Record<Priority, string>;
  /** CISA KEV due date `YYYY-MM-DD`, or null when the CVE is not in KEV. */
  kevDueDate: string | null;
}

export interface SlaDeadline {
  dueAt: Date;
  /** The KEV due date had already passed when the clock started. */
  pastCisaDueDate: boolean;
}

/**
 * Computes when a CVE's SLA ends: clockStartAt plus the priority's duration, cut
 * short by the CISA KEV due date when that comes first. A KEV due date means the end
 * of that day in UTC.
 *
 * When the KEV due date had already passed at clockStartAt, the CVE is breached from
 * the start. Then `pastCisaDueDate` is true and `dueAt` is clockStartAt rather than
 * the earlier CISA date, so the SLA window is empty instead of negative, and
 * escalation timers and reports place the breach at the clock's start.
 *
 * Throws a TypeError for an invalid duration string or KEV due date.
 */
export function slaDeadline(input: SlaDeadlineInput): SlaDeadline {
  const { priority, clockStartAt, slaDurations, kevDueDate } = input;

  const slaMs = parseDuration(slaDurations[priority], `SLA duration for ${priority}`);
  const slaEnd = new Date(clockStartAt.getTime() + slaMs);
  if (kevDueDate === null) return { dueAt: slaEnd, pastCisaDueDate: false };

  const kevEnd = endOfUtcDay(kevDueDate);
  if (kevEnd.getTime() < clockStartAt.getTime()) {
    return { dueAt: new Date(clockStartAt.getTime()), pastCisaDueDate: true };
  }
  if (kevEnd.getTime() < slaEnd.getTime()) return { dueAt: kevEnd, pastCisaDueDate: false };
  return { dueAt: slaEnd, pastCisaDueDate: false };
}

/**
 * Parses a duration string such as `'7 days'`, `'30s'` or `'90m'` into milliseconds,
 * with the same parser Temporal uses for its own durations. Throws a TypeError that
 * names `fieldName` when the string is not a duration.
 */
export function parseDuration(value: string, fieldName: string): number {
  let millis: number;
  try {
    millis = msToNumber(value as StringValue);
  } catch {
    throw new TypeError(`invalid ${fieldName} "${value}": expected a duration such as "7 days", "30m" or "90s"`);
  }
  if (!Number.isFinite(millis) || millis < 0) {
    throw new TypeError(`invalid ${fieldName} "${value}": a duration must be zero or positive`);
  }
  return millis;
}

/** Returns 23:59:59.999 UTC of a `YYYY-MM-DD` date. Throws a TypeError for anything else. */
export function endOfUtcDay(date: string): Date {
  const end = new Date(`${date}T23:59:59.999Z`);
  // `new Date` rolls 2024-02-30 over to March, so the round trip catches impossible days.
  if (!KEV_DUE_DATE.test(date) || Number.isNaN(end.getTime()) || end.toISOString().slice(0, 10) !== date) {
    throw new TypeError(`invalid KEV due date "${date}": expected a calendar date YYYY-MM-DD`);
  }
  return end;
}

export interface EscalationScheduleInput {
  cve: string;
  clockStartAt: Date;
  dueAt: Date;
  pastCisaDueDate: boolean;
  /** Points of the SLA window at which to notify, each in (0, 1], where 1 is the deadline. */
  fractions: readonly number[];
  /** Recipients by escalation level; the last one also takes every level past the chain's end. */
  chain: readonly string[];
}

/**
 * Lists the escalation notices of one CVE, earliest first. Fractions are sorted
 * ascending, so the chain is climbed as time passes whatever order the policy lists
 * them in: the i-th fraction goes to chain[i], or to the last recipient when the chain
 * is shorter.
 *
 * A CVE already past its CISA due date gets one breach notice (fraction 1, reason
 * `past-cisa-due-date`, due at clockStartAt) for the recipient of the last level,
 * and none of the earlier notices.
 *
 * Throws a RangeError when the chain is empty or a fraction is outside (0, 1].
 */
export function escalationSchedule(input: EscalationScheduleInput): EscalationNotice[] {
  const { cve, clockStartAt, dueAt, pastCisaDueDate, chain } = input;
  if (chain.length === 0) {
    throw new RangeError(`escalation chain for ${cve} is empty: the policy must name at least one recipient`);
  }
  for (const fraction of input.fractions) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new RangeError(`escalation fraction ${fraction} for ${cve} is outside (0, 1]`);
    }
  }
  const fractions = [...input.fractions].sort((a, b) => a - b);

  const recipientAt = (level: number): string => chain[Math.min(level, chain.length - 1)]!;

  if (pastCisaDueDate) {
    return [
      {
        cve,
        fraction: 1,
        recipient: recipientAt(fractions.length - 1),
        dueAt: clockStartAt.toISOString(),
        reason: 'past-cisa-due-date',
      },
    ];
  }

  const windowMs = dueAt.getTime() - clockStartAt.getTime();
  return fractions.map((fraction, level) => ({
    cve,
    fraction,
    recipient: recipientAt(level),
    dueAt: new Date(clockStartAt.getTime() + Math.round(fraction * windowMs)).toISOString(),
    reason: 'threshold',
  }));
}
