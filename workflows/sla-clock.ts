/**
 * The SLA clock of an incident: one workflow timer per escalation notice, each
 * sending its notice when due. The emergency workflow stops the clock once every
 * asset is remediated, excepted or contained.
 */
import { CancellationScope, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { PatchwardenActivities } from '../activities/types.js';
import type { CveAssessment, EscalationNotice } from '../domain/incident.js';
import { escalationSchedule } from '../domain/sla.js';
import type { EscalationPolicy } from './definitions.js';

const { sendEscalation } = proxyActivities<PatchwardenActivities>({ startToCloseTimeout: '2 minutes' });

export class SlaClock {
  /** Notices sent so far, in the order they went out. */
  readonly sent: EscalationNotice[] = [];
  private scopes: CancellationScope[] = [];

  constructor(
    private readonly incidentId: string,
    private readonly policy: EscalationPolicy,
  ) {}

  /** Whether any timer started since the last `stop` may still fire. */
  get running(): boolean {
    return this.scopes.length > 0;
  }

  /**
   * Starts the timers of each CVE from its own clock start and deadline. A notice
   * whose time has already passed (a CVE past its CISA due date, a late start) goes
   * out at once. Starting after `stop` runs the clock again for these CVEs only.
   */
  start(assessments: readonly CveAssessment[]): void {
    for (const assessment of assessments) {
      const notices = escalationSchedule({
        cve: assessment.cve,
        clockStartAt: new Date(assessment.clockStartAt),
        dueAt: new Date(assessment.slaDueAt),
        pastCisaDueDate: assessment.pastCisaDueDate,
        fractions: this.policy.fractions,
        chain: this.policy.chain,
      });

      const scope = new CancellationScope();
      this.scopes.push(scope);
      for (const notice of notices) {
        scope.run(() => this.sendWhenDue(notice)).catch((error: unknown) => {
          if (isCancellation(error)) return;
          log.error('escalation notice failed', {
            incidentId: this.incidentId,
            cve: notice.cve,
            fraction: notice.fraction,
            error: (error as Error).message,
          });
        });
      }
    }
  }

  /** Cancels every pending timer and any notice being sent. */
  stop(): void {
    for (const scope of this.scopes) scope.cancel();
    this.scopes = [];
  }

  private async sendWhenDue(notice: EscalationNotice): Promise<void> {
    const delayMs = Date.parse(notice.dueAt) - Date.now();
    if (delayMs > 0) await sleep(delayMs);

    await sendEscalation({ incidentId: this.incidentId, notice });
    this.sent.push(notice);
    log.info('escalation notice sent', {
      incidentId: this.incidentId,
      cve: notice.cve,
      fraction: notice.fraction,
      recipient: notice.recipient,
      reason: notice.reason,
    });
  }
}
