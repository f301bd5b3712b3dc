/**
 * Every workflow the `patchwarden` task queue runs. The worker bundles this file
 * (`workflowsPath`), so it exports workflow functions only.
 */
export { emergencyPatch } from './emergency-patch.js';
export { patchRollout } from './patch-rollout.js';
export { patchRing } from './patch-ring.js';
export { patchException } from './patch-exception.js';
export { quarantine } from './quarantine.js';
export { intelRefresh } from './intel-refresh.js';
