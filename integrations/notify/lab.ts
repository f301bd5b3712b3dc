/** Lab notifier: messages are kept in `lab_messages` instead of being sent. */
import type { LabFleet } from '../lab/fleet.js';
import type { Notifier } from './types.js';

export function labNotifier(fleet: LabFleet): Notifier {
  return {
    name: 'lab',
    async send(message) {
      await fleet.recordMessage(message);
    },
  };
}
