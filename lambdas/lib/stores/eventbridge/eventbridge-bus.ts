/**
 * State-change events on an EventBridge bus: PutEvents, ten entries a request (its limit), each
 * entry answered on its own. The client is created once per cold start; its endpoint comes from
 * the SDK's standard variables (AWS_ENDPOINT_URL_EVENTBRIDGE), like every client here.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { STATE_CHANGE_DETAIL_TYPE, STATE_CHANGE_SOURCE, type StateChangeDetail } from '../../domain/state-change-event.ts';
import type { EventBus, PublishResult } from '../../ports/state-change-delivery.ts';
import { sdkCall } from '../aws-errors.ts';

/** PutEvents takes at most 10 entries (and 256 KB; a detail is a few hundred bytes). */
const ENTRIES_PER_REQUEST = 10;

let client: EventBridgeClient | undefined;

export function eventBridgeClient(region: string): EventBridgeClient {
  client ??= new EventBridgeClient({ region });
  return client;
}

export function eventBridgeBus(events: EventBridgeClient, busName: string): EventBus {
  return {
    async publish(details) {
      const results: PublishResult[] = [];
      for (let start = 0; start < details.length; start += ENTRIES_PER_REQUEST) {
        const batch = details.slice(start, start + ENTRIES_PER_REQUEST);
        const entries: PutEventsRequestEntry[] = batch.map((detail) => ({
          EventBusName: busName,
          Source: STATE_CHANGE_SOURCE,
          DetailType: STATE_CHANGE_DETAIL_TYPE,
          Detail: JSON.stringify(detail),
          // The event's time is the change's, not the publication's (a retry publishes later).
          Time: new Date(detail.time),
        }));
        const answer = await sdkCall(() => events.send(new PutEventsCommand({ Entries: entries })));
        // One answer per entry, in order: an ErrorCode marks the ones EventBridge did not take.
        results.push(
          ...batch.map((_, index): PublishResult => {
            const entry = answer.Entries?.[index];
            if (entry?.EventId && !entry.ErrorCode) return { ok: true };
            return { ok: false, error: `${entry?.ErrorCode ?? 'NoAnswer'}: ${entry?.ErrorMessage ?? 'EventBridge did not answer for this entry'}` };
          }),
        );
      }
      return results;
    },
  };
}
