/**
 * `quarantine`: contains a host with an EDR detection and checks that the EDR
 * reports it contained. The emergency workflow starts it with parent-close policy
 * and cancellation type ABANDON, so closing, cancelling or terminating the incident
 * never cancels a containment.
 */
import { log, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { PatchwardenActivities } from '../activities/types.js';
import { quarantineStateQuery, type QuarantineInput, type QuarantineState } from './definitions.js';

const { containHost, verifyContainment } = proxyActivities<PatchwardenActivities>({
  startToCloseTimeout: '2 minutes',
});

/** EDRs apply containment asynchronously, so a first check can precede the effect. */
const VERIFY_ATTEMPTS = 3;
const VERIFY_INTERVAL = '30s';

export async function quarantine(input: QuarantineInput): Promise<QuarantineState> {
  const { quarantineId, incidentId, assetId, detectionId } = input;
  const state: QuarantineState = {
    quarantineId,
    assetId,
    status: 'containing',
    containmentId: null,
    detail: `containing because of EDR detection ${detectionId}`,
  };
  setHandler(quarantineStateQuery, () => state);

  // NOTE: policy.automatic = false (contain only after an approval) is not implemented
  // yet, so containment always starts at once.
  if (!input.policy.automatic) {
    log.warn('quarantine policy asks for approval before containment, which is not implemented; containing now', {
      quarantineId,
      assetId,
    });
  }

  const { containmentId } = await containHost({ quarantineId, incidentId, assetId, detectionId });
  state.containmentId = containmentId;
  state.status = 'verifying';

  for (let attempt = 1; attempt <= VERIFY_ATTEMPTS; attempt++) {
    const check = await verifyContainment({ quarantineId, assetId });
    state.detail = check.detail;
    if (check.contained) {
      state.status = 'contained';
      log.info('host contained', { quarantineId, incidentId, assetId, containmentId });
      return state;
    }
    if (attempt < VERIFY_ATTEMPTS) await sleep(VERIFY_INTERVAL);
  }

  state.status = 'failed';
  log.error('containment not verified', { quarantineId, incidentId, assetId, containmentId, detail: state.detail });
  return state;
}
