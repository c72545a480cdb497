/**
 * The email of one state change, at most once per event id: the ledger is claimed (a conditional
 * write keyed by the event id) before the message is sent. A redelivered change finds the claim
 * and sends nothing. A send the mail service refused releases the claim and fails, so the
 * change's retry may send it; a send whose outcome is unknown keeps the claim and is not retried
 * (it may have gone out), and is logged as an error.
 */
import { notificationEmail, notificationKind, type StateChangeDetail } from '../../domain/state-change-event.ts';
import { logger } from '../../logging.ts';
import { MessageNotSent } from '../../ports/state-change-delivery.ts';
import type { EventDeps } from '../deps.ts';

/** How long a claim is kept: far longer than a stream record can be redelivered (24 hours). */
export const LEDGER_RETENTION_SECONDS = 7 * 24 * 3600;

export type NotifyOutcome = 'sent' | 'none' | 'duplicate' | 'unknown';

/** Sends the change's email, if it has one; throws when it should be retried (nothing was sent). */
export async function notify(deps: EventDeps, detail: StateChangeDetail): Promise<NotifyOutcome> {
  const notifications = deps.notifications;
  if (!notifications || !notificationKind(detail.to)) return 'none';
  // The name, address and error details do not change with the state: today's record tells them.
  const message = notificationEmail(detail, await deps.worksets.getWorkset(detail.workset_id), notifications.sender);
  if (!message) return 'none';

  const now = deps.now();
  const claim = { eventId: detail.event_id, token: deps.token() };
  if ((await notifications.ledger.claim({ ...claim, at: now.toISOString(), expiresAt: Math.floor(now.getTime() / 1000) + LEDGER_RETENTION_SECONDS })) === 'taken') {
    logger.info('notification already sent for this event; not sent again', { event_id: detail.event_id, workset_id: detail.workset_id });
    return 'duplicate';
  }
  let messageId: string;
  try {
    ({ messageId } = await notifications.mailer.send(message));
  } catch (error) {
    if (!(error instanceof MessageNotSent)) {
      logger.error('a notification may or may not have been sent; it is not sent again (never more than one per event)', {
        event_id: detail.event_id,
        workset_id: detail.workset_id,
        error: error as Error,
      });
      return 'unknown';
    }
    try {
      await notifications.ledger.release(claim);
    } catch (releaseError) {
      // The claim stays: this event's email is then never sent (at most once wins).
      logger.error('a refused notification could not be released for a retry; it will not be sent', { event_id: detail.event_id, error: releaseError as Error });
      return 'unknown';
    }
    throw error;
  }
  try {
    await notifications.ledger.confirm({ ...claim, messageId, at: deps.now().toISOString() });
  } catch (error) {
    // Sent; the claim, unconfirmed, still keeps a redelivery from sending it again.
    logger.warn('a sent notification could not be recorded as sent', { event_id: detail.event_id, error: error as Error });
  }
  logger.info('notification sent', { event_id: detail.event_id, workset_id: detail.workset_id, to_state: detail.to, message_id: messageId });
  return 'sent';
}
