/** Ticket system capability: write an incident's progress back to its source ticket. */

export interface TicketAdapter {
  readonly name: string;
  updateTicket(input: { source: string; ticketId: string; state: 'resolved' | 'in_progress' | 'cancelled'; comment: string }): Promise<void>;
}
