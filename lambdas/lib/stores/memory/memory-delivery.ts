/**
 * The stream consumer's ports in memory, for flow tests: a bus that records what it publishes, a
 * mailer that records what it sends, and the notification ledger with the DynamoDB adapter's
 * conditions. Each has a fault hook (faults.ts) called with the port method's name and input.
 */
import type { EmailMessage, StateChangeDetail } from '../../domain/state-change-event.ts';
import type { EventBus, Mailer, NotificationLedger, PublishResult } from '../../ports/state-change-delivery.ts';
import { checkFault, type FaultHook } from './faults.ts';

export class MemoryEventBus implements EventBus {
  readonly published: StateChangeDetail[] = [];
  /** Fails the whole call (the bus unreachable). */
  fail: FaultHook | undefined;
  /** Refuses single entries: an error text for the details it should not take. */
  refuse: ((detail: StateChangeDetail) => string | undefined) | undefined;

  async publish(details: readonly StateChangeDetail[]): Promise<readonly PublishResult[]> {
    checkFault(this.fail, 'publish', details);
    return details.map((detail) => {
      const error = this.refuse?.(detail);
      if (error) return { ok: false, error };
      this.published.push(structuredClone(detail));
      return { ok: true };
    });
  }
}

export class MemoryMailer implements Mailer {
  readonly sent: EmailMessage[] = [];
  /** Before sending: throw MessageNotSent (refused) or any error (unknown, nothing sent). */
  fail: FaultHook | undefined;
  /** After sending: the message went out, then the reply was lost (unknown, but sent). */
  loseReply: ((message: EmailMessage) => Error | undefined) | undefined;

  async send(message: EmailMessage): Promise<{ messageId: string }> {
    checkFault(this.fail, 'send', message);
    this.sent.push(structuredClone(message));
    const lost = this.loseReply?.(message);
    if (lost) throw lost;
    return { messageId: `memory-${this.sent.length}` };
  }
}

interface LedgerItem {
  readonly status: 'sending' | 'sent' | 'released';
  readonly token: string;
  readonly expiresAt: number;
  readonly messageId?: string;
}

export class MemoryNotificationLedger implements NotificationLedger {
  readonly items = new Map<string, LedgerItem>();
  fail: FaultHook | undefined;

  async claim(input: { eventId: string; token: string; at: string; expiresAt: number }): Promise<'claimed' | 'taken'> {
    checkFault(this.fail, 'claim', input);
    const existing = this.items.get(input.eventId);
    if (existing && existing.status !== 'released') return 'taken';
    this.items.set(input.eventId, { status: 'sending', token: input.token, expiresAt: input.expiresAt });
    return 'claimed';
  }

  async confirm(input: { eventId: string; token: string; messageId: string; at: string }): Promise<void> {
    checkFault(this.fail, 'confirm', input);
    const existing = this.items.get(input.eventId);
    if (existing?.token === input.token) this.items.set(input.eventId, { ...existing, status: 'sent', messageId: input.messageId });
  }

  async release(input: { eventId: string; token: string }): Promise<void> {
    checkFault(this.fail, 'release', input);
    const existing = this.items.get(input.eventId);
    if (existing?.token === input.token && existing.status === 'sending') this.items.set(input.eventId, { ...existing, status: 'released' });
  }
}
