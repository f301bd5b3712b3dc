/**
 * The API's door to Temporal: starts emergency workflows and sends updates. Kept
 * behind an interface so routes read as business steps, not client calls.
 */
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { CveAssessment } from '../domain/incident.js';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Policy } from '../config/policy.js';
import {
  TASK_QUEUE,
  addCvesUpdate,
  cvesSearchAttribute,
  decideUpdate,
  incidentIdSearchAttribute,
  phaseSearchAttribute,
  type DecideRequest,
  type EmergencyPatchInput,
} from '../workflows/definitions.js';

export interface WorkflowGateway {
  startEmergencyPatch(workflowId: string, input: EmergencyPatchInput): Promise<void>;
  addCves(workflowId: string, input: { cves: string[]; principal: string }): Promise<CveAssessment[]>;
  decideException(workflowId: string, payload: DecideRequest): Promise<unknown>;
}

export function temporalGateway(client: Client): WorkflowGateway {
  return {
    async startEmergencyPatch(workflowId, input) {
      // USE_EXISTING: a repeated trigger attaches to the running workflow instead of failing.
      await client.workflow.start('emergencyPatch', {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: new TypedSearchAttributes([
          { key: incidentIdSearchAttribute, value: input.incidentId },
          { key: cvesSearchAttribute, value: input.cves },
          { key: phaseSearchAttribute, value: 'enriching' },
        ]),
      });
    },
    async addCves(workflowId, input) {
      const handle = client.workflow.getHandle(workflowId);
      return handle.executeUpdate(addCvesUpdate, { args: [input] });
    },
    async decideException(workflowId, payload) {
      const handle = client.workflow.getHandle(workflowId);
      return handle.executeUpdate(decideUpdate, { args: [payload] });
    },
  };
}

/** Copies the policy sections a workflow needs into its input, so a later policy edit never changes it. */
export function workflowPolicy(policy: Policy): EmergencyPatchInput['policy'] {
  return {
    sla: policy.sla,
    escalation: policy.escalation,
    rollout: policy.rollout,
    exceptions: policy.exceptions,
    quarantine: policy.quarantine,
  };
}
