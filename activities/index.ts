/** Builds every activity implementation for the worker. */
import type { ActivityDeps } from './deps.js';
import { incidentActivities } from './incident.js';
import { intelActivities } from './intel-refresh.js';
import { exceptionActivities, planningActivities, quarantineActivities, rolloutActivities } from './remediation.js';
import type { PatchwardenActivities } from './types.js';

export function createActivities(deps: ActivityDeps): PatchwardenActivities {
  return {
    ...incidentActivities(deps),
    ...planningActivities(deps),
    ...rolloutActivities(deps),
    ...exceptionActivities(deps),
    ...quarantineActivities(deps),
    ...intelActivities(deps),
  };
}
