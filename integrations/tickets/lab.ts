/** Lab ticket system: ticket updates are kept as `lab_messages` on channel `ticket`. */
import type { LabFleet } from '../lab/fleet.js';
import type { TicketAdapter } from './types.js';

export function labTickets(fleet: LabFleet): TicketAdapter {
  return {
    name: 'lab',
    async updateTicket({ source, ticketId, state, comment }) {
      await fleet.recordMessage({ channel: 'ticket', recipient: `${source}/${ticketId}`, subject: state, body: comment });
    },
  };
}
