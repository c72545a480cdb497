/**
 * The stream consumer: every state change's transaction writes a history item (the outbox), and
 * each new one in the worksets table's stream is published as one `Workset State Change` event,
 * then, for a completion, failure or cancellation of a workset with `notification_email`, mailed
 * (notify.ts). Delivery is at least once: a record the batch could not finish is reported, with
 * every record after it (Lambda retries from the earliest one reported), and its event, whose id
 * is stable, may then be published again. An email never goes out twice for one event id.
 */
import type { StateChangeDetail } from '../../domain/state-change-event.ts';
import { logger } from '../../logging.ts';
import type { OutboxEntry } from '../../ports/state-change-delivery.ts';
import type { EventDeps } from '../deps.ts';
import { notify } from './notify.ts';

export interface PublishOutcome {
  /** The stream positions to report as failed (partial batch response), in stream order. */
  readonly failed: readonly string[];
  readonly published: number;
  readonly mailed: number;
}

type Change = OutboxEntry & { readonly detail: StateChangeDetail };

/** Publishes the batch's changes in order; the records from the first that could not be finished on are `failed`. */
export async function publishStateChanges(deps: EventDeps, entries: readonly OutboxEntry[]): Promise<PublishOutcome> {
  for (const entry of entries) {
    // Not retried: a malformed item stays malformed; the reconciler's history reads skip it too.
    if (entry.problem) logger.error('a history item could not be published as a state change', { sequence_number: entry.id, problem: entry.problem });
  }
  const changes = entries.filter((entry): entry is Change => entry.detail !== undefined);
  const failAt = (change: Change | undefined): PublishOutcome['failed'] => (change === undefined ? [] : entries.slice(entries.indexOf(change)).map((entry) => entry.id));

  let firstUnpublished = changes.length;
  if (deps.bus && changes.length > 0) {
    try {
      const results = await deps.bus.publish(changes.map((change) => change.detail));
      const refused = results.findIndex((result) => !result.ok);
      if (refused >= 0) {
        firstUnpublished = refused;
        const result = results[refused]!;
        logger.error('the event bus refused a state change; it is retried with the rest of the batch', {
          event_id: changes[refused]!.detail.event_id,
          error: result.ok ? undefined : result.error,
        });
      }
    } catch (error) {
      logger.error('the event bus could not be reached; the batch is retried', { error: error as Error });
      return { failed: failAt(changes[0]), published: 0, mailed: 0 };
    }
  }

  // Mail in stream order, up to the first change not published (its record is retried anyway).
  const published = deps.bus ? firstUnpublished : 0;
  let mailed = 0;
  for (const change of changes.slice(0, firstUnpublished)) {
    try {
      if ((await notify(deps, change.detail)) === 'sent') mailed += 1;
    } catch (error) {
      logger.error('a notification could not be sent; the change is retried from here', { event_id: change.detail.event_id, error: error as Error });
      return { failed: failAt(change), published, mailed };
    }
  }
  return { failed: failAt(changes[firstUnpublished]), published, mailed };
}
