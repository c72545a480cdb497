/**
 * The `Workset State Change` event: what the stream consumer publishes for every state change (one
 * per history item, the change's outbox), and the email a change sends to a workset's
 * `notification_email`. The schema is documented in docs/events.md. Pure.
 */
import type { ErrorCategory } from './lifecycle.ts';
import type { HistoryEntry, WorksetRecord, WorksetState } from './workset.ts';

/** The event's `source`: a rule matches it (custom sources may not start with `aws.`). */
export const STATE_CHANGE_SOURCE = 'daylily.workset-api';
/** The event's `detail-type`. */
export const STATE_CHANGE_DETAIL_TYPE = 'Workset State Change';
/** Raised when a field changes meaning or goes away; new optional fields keep it. */
export const STATE_CHANGE_SCHEMA_VERSION = 1;

/** The event's `detail`: one state change of one workset. */
export interface StateChangeDetail {
  readonly schema_version: typeof STATE_CHANGE_SCHEMA_VERSION;
  /**
   * Stable across redeliveries: `{workset_id}:{version}`. Delivery is at least once, so a
   * consumer keeps the ids it has handled and skips repeats.
   */
  readonly event_id: string;
  readonly workset_id: string;
  readonly customer_id: string;
  /** The state before the change; null for the registration's first entry. */
  readonly from: WorksetState | null;
  readonly to: WorksetState;
  readonly reason: string;
  /** Who made the change: a customer, a worker's owner id, an operator's ARN, the protocol. */
  readonly actor: string;
  /** When the change was written (ISO 8601, UTC, milliseconds). */
  readonly time: string;
  /** The record's version after the change: versions of one workset increase by one per change. */
  readonly version: number;
  /** Failures only: the category the failure was reported with. */
  readonly error_category?: ErrorCategory;
}

export function stateChangeEventId(worksetId: string, version: number): string {
  return `${worksetId}:${version}`;
}

/** The detail of the change that produced `version` of a workset, from its history entry. */
export function stateChangeDetail(input: { readonly worksetId: string; readonly customerId: string; readonly version: number; readonly entry: HistoryEntry }): StateChangeDetail {
  const { from, to, reason, actor, at, error_category } = input.entry;
  return {
    schema_version: STATE_CHANGE_SCHEMA_VERSION,
    event_id: stateChangeEventId(input.worksetId, input.version),
    workset_id: input.worksetId,
    customer_id: input.customerId,
    from: from ?? null,
    to,
    reason,
    actor,
    time: at,
    version: input.version,
    ...(error_category ? { error_category } : {}),
  };
}

/**
 * The whole event as EventBridge hands it to a rule's target; the local event files hold the
 * same shape, so a consumer written against one reads the other.
 */
export interface StateChangeEvent {
  readonly version: '0';
  /** EventBridge's own id (a new one on each publication); dedupe on `detail.event_id`. */
  readonly id: string;
  readonly 'detail-type': typeof STATE_CHANGE_DETAIL_TYPE;
  readonly source: typeof STATE_CHANGE_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: StateChangeDetail;
}

/** EventBridge's `time`: seconds precision. */
export function eventTime(at: string): string {
  return at.replace(/\.\d+Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------
// Notifications

/** What a change means to the person who registered the workset, when it means anything. */
export type NotificationKind = 'completed' | 'failed' | 'canceled';

/** Completion, failure (a worker's error, or failed past its retries) and cancellation mail; nothing else does. */
export function notificationKind(to: WorksetState): NotificationKind | undefined {
  switch (to) {
    case 'complete':
      return 'completed';
    case 'error':
    case 'failed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    default:
      return undefined;
  }
}

export interface EmailMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  /** Plain text, lines ending in `\n`. */
  readonly text: string;
  /** What the message is about (the event id): local mail files are named after it. */
  readonly reference: string;
}

/** One header-safe line: no CR, LF or other control characters, at most `max` characters. */
const line = (text: string, max = 200): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim().slice(0, max);

/**
 * The email a change sends, or undefined when it sends none (a state that does not mail, or a
 * workset without `notification_email`). `record` is the workset as read when the event is
 * handled: its name, address and error details do not change with its state.
 */
export function notificationEmail(
  detail: StateChangeDetail,
  record: Pick<WorksetRecord, 'workset_name' | 'notification_email' | 'error_details'> | undefined,
  sender: string,
): EmailMessage | undefined {
  const kind = notificationKind(detail.to);
  const to = record?.notification_email?.trim();
  if (!kind || !record || !to) return undefined;
  const name = line(record.workset_name);
  const details = kind === 'failed' && record.error_details ? [`Error: ${line(record.error_details, 2000)}`] : [];
  return {
    from: sender,
    to,
    subject: line(`Daylily workset "${name}" ${kind}`),
    text: [
      `Workset "${name}" (${detail.workset_id}) ${kind} at ${detail.time}.`,
      '',
      `State: ${detail.from ?? 'new'} -> ${detail.to}`,
      `Reason: ${line(detail.reason, 1000)}`,
      ...details,
      `Changed by: ${line(detail.actor)}`,
      `Customer: ${detail.customer_id}`,
      '',
      `Event id: ${detail.event_id}`,
      'You receive this because the workset was registered with this notification address.',
      '',
    ].join('\n'),
    reference: detail.event_id,
  };
}
