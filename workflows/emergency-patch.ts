/**
 * `emergencyPatch`: carries an incident from its ticket to every affected asset
 * patched, excepted or contained. It enriches the CVEs, runs remediation waves (see
 * `remediation.ts`), holds the SLA clock with its escalations, and closes the ticket.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  TemporalFailure,
} from '@temporalio/workflow';
import type { PatchwardenActivities } from '../activities/types.js';
import type { CveAssessment, Phase } from '../domain/incident.js';
import {
  addCvesUpdate,
  cancelSignal,
  statusQuery,
  type AddCvesRequest,
  type CancelRequest,
  type EmergencyPatchInput,
  type EmergencyPatchResult,
} from './definitions.js';
import { IncidentTracker } from './incident-tracker.js';
import { summarizeIncident } from './incident-summary.js';
import { checkAddCvesRequest, checkEmergencyPolicy, InputRejection } from './input-checks.js';
import { Remediation } from './remediation.js';
import { SlaClock } from './sla-clock.js';

const { enrichCves, closeIncident } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '5 minutes',
});

export async function emergencyPatch(input: EmergencyPatchInput): Promise<EmergencyPatchResult> {
  const { incidentId } = input;
  checkEmergencyPolicy(input.policy);
  log.info('incident started', { incidentId, source: input.source, ticketId: input.ticketId, cves: input.cves });

  const clock = new SlaClock(incidentId, input.policy.escalation);
  const incident = new IncidentTracker(incidentId, clock);
  const remediation = new Remediation(input, incident);
  // Everything the cancel signal stops: enrichment, waves, children and the clock watcher.
  const work = new CancellationScope();
  let cancelRequest: CancelRequest | null = null;
  let pendingAdds = 0;

  const addCves = async (request: AddCvesRequest): Promise<CveAssessment[]> => {
    pendingAdds++;
    try {
      const requested = [...new Set(request.cves)].filter((cve) => !incident.knowsCve(cve));
      if (requested.length === 0) return incident.cves;

      const enriched = await enrichCves({
        incidentId,
        cves: requested,
        clockStartAt: new Date().toISOString(),
        sla: input.policy.sla,
      });

      // One synchronous step: wave 1 either has not scoped yet and picks these CVEs up,
      // or it has, and they get a wave of their own. A concurrent request for the same
      // CVE may have finished first, hence the second filter.
      const added = enriched.filter((assessment) => !incident.knowsCve(assessment.cve));
      incident.addCves(added);
      clock.start(added);
      if (added.length > 0 && remediation.scopingStarted) remediation.startWave(added.map((assessment) => assessment.cve));
      log.info('CVEs added to the incident', { incidentId, principal: request.principal, cves: added.map((assessment) => assessment.cve) });

      // Priority and deadline may have changed.
      await incident.recordPhase();
      return incident.cves;
    } finally {
      pendingAdds--;
    }
  };

  setHandler(statusQuery, () => incident.status());

  setHandler(
    addCvesUpdate,
    (request) => work.run(() => addCves(request)),
    {
      validator: (request) => {
        if (incident.phase === 'closing' || incident.isTerminal || cancelRequest !== null) {
          const state = cancelRequest !== null ? 'being cancelled' : incident.phase;
          throw ApplicationFailure.create({
            type: InputRejection.incidentClosed,
            message: `incident ${incidentId} is ${state} and accepts no more CVEs. Open a new incident for them.`,
          });
        }
        checkAddCvesRequest(request);
      },
    },
  );

  setHandler(cancelSignal, (request) => {
    if (cancelRequest !== null || incident.phase === 'closing' || incident.isTerminal) {
      log.info('cancel ignored because the incident is already closing', { incidentId, principal: request.principal });
      return;
    }
    cancelRequest = request;
    log.warn('incident cancelled', { incidentId, principal: request.principal, reason: request.reason });
    clock.stop();
    work.cancel();
  });

  // The clock stops as soon as every asset is resolved, even while children still
  // run (a contained host whose rollout continues). CVEs added later restart it.
  const clockWatcher = new CancellationScope();
  clockWatcher
    .run(async () => {
      for (;;) {
        await condition(
          () =>
            clock.running &&
            pendingAdds === 0 &&
            remediation.settled &&
            incident.assetCount > 0 &&
            incident.unresolvedAssets().length === 0,
        );
        log.info('every asset is remediated, excepted or contained; stopping the SLA clock', { incidentId });
        clock.stop();
      }
    })
    .catch((error: unknown) => {
      if (!isCancellation(error)) log.error('SLA clock watcher failed', { incidentId, error: (error as Error).message });
    });

  let outcome: Extract<Phase, 'completed' | 'cancelled' | 'failed'>;
  let failure: unknown = null;
  try {
    await work.run(async () => {
      await incident.recordPhase();
      const initial = await enrichCves({
        incidentId,
        cves: [...new Set(input.cves)],
        clockStartAt: input.createdAt,
        sla: input.policy.sla,
      });
      incident.addCves(initial);
      clock.start(initial);

      // Includes CVEs that `addCves` enriched while the first ones were enriching.
      await remediation.runFirstWave(incident.cves.map((assessment) => assessment.cve));
      await condition(() => (remediation.idle && pendingAdds === 0) || remediation.failure !== null);
      if (remediation.failure !== null) throw remediation.failure;
    });
    // NOTE: a failed incident closes at once, so this workflow sends no further
    // escalations for the CVEs its unresolved assets still carry.
    outcome = incident.unresolvedAssets().length === 0 ? 'completed' : 'failed';
  } catch (error) {
    if (isCancellation(error)) {
      outcome = 'cancelled';
    } else {
      outcome = 'failed';
      failure = error;
      log.error('incident failed', { incidentId, error: (error as Error).message });
    }
  }

  clock.stop();
  clockWatcher.cancel();
  const summary = summarizeIncident({ incident, outcome, cancelRequest, failure });

  // Closing runs even when the workflow itself was cancelled, so the ticket and the
  // audit log always learn the outcome.
  await CancellationScope.nonCancellable(async () => {
    await incident.advancePhase('closing');
    await closeIncident({ incidentId, outcome, summary });
    await incident.advancePhase(outcome);
    await condition(allHandlersFinished);
  });
  log.info('incident closed', { incidentId, outcome, summary });

  if (failure !== null) throw asWorkflowFailure(failure);
  return { ...incident.status(), summary };
}

/** Fails the workflow rather than retrying its task forever, since the ticket is already closed as failed. */
function asWorkflowFailure(error: unknown): TemporalFailure {
  if (error instanceof TemporalFailure) return error;
  const cause = error as Error;
  return ApplicationFailure.create({ type: cause.name, message: cause.message, nonRetryable: true });
}
