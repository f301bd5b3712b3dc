/** Notification capability: escalations, approver reminders. */

export interface Notifier {
  readonly name: string;
  send(input: { channel: string; recipient: string; subject: string; body: string }): Promise<void>;
}
