/**
 * What the stream consumer (flows/events/) works with: the outbox it reads (the worksets table's
 * stream, one history item per state change), the bus it publishes to, the mailer, and the ledger
 * that keeps a redelivered change from mailing twice. Adapters: stores/dynamodb (outbox, ledger),
 * stores/eventbridge, stores/ses, stores/files (local), stores/memory (flow tests).
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { EmailMessage, StateChangeDetail } from '../domain/state-change-event.ts';

/** One stream record as the outbox reads it. */
export interface OutboxEntry {
  /** The record's stream position: what a partial batch response names. */
  readonly id: string;
  /** The state change, when the record is a new history item; undefined for every other record. */
  readonly detail?: StateChangeDetail;
  /** Why a history item could not be read as a change (it is skipped, and logged). */
  readonly problem?: string;
}

export interface StateChangeOutbox {
  /** The batch's records in stream order, each read as a state change or as nothing to publish. */
  read(records: readonly DynamoDBRecord[]): OutboxEntry[];
}

export type PublishResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface EventBus {
  /**
   * Publishes one `Workset State Change` event per detail, in order. Answers per detail whether it
   * was accepted; throws (StorageUnavailableError) when the bus could not be reached at all.
   */
  publish(details: readonly StateChangeDetail[]): Promise<readonly PublishResult[]>;
}

/** The mail service refused the message: it was certainly not sent, and may be sent again. */
export class MessageNotSent extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MessageNotSent';
  }
}

export interface Mailer {
  /**
   * Sends one message; answers the service's message id. Throws MessageNotSent when the service
   * refused it; any other error leaves it unknown whether it went out.
   */
  send(message: EmailMessage): Promise<{ readonly messageId: string }>;
}

/**
 * At most one email per event id: a claim is a conditional write keyed by the event id. A claim
 * whose send certainly failed is released for a retry; any other claim stands (until its TTL).
 */
export interface NotificationLedger {
  /** `claimed`: this caller may send. `taken`: sent, being sent, or of unknown outcome: never send. */
  claim(input: { readonly eventId: string; readonly token: string; readonly at: string; readonly expiresAt: number }): Promise<'claimed' | 'taken'>;
  /** The message went out: the claim becomes a record of it. */
  confirm(input: { readonly eventId: string; readonly token: string; readonly messageId: string; readonly at: string }): Promise<void>;
  /** The send certainly failed: the event id may be claimed again (by this caller's retry). */
  release(input: { readonly eventId: string; readonly token: string }): Promise<void>;
}
