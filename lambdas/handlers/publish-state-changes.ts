/** The worksets table's stream: one `Workset State Change` event per history item, and its email (flows/events/state-change-relay.ts) */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStateChanges } from '../lib/flows/events/state-change-relay.ts';
import { eventDeps } from '../lib/wiring/event-deps.ts';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const deps = eventDeps();
  const { failed } = await publishStateChanges(deps, deps.outbox.read(event.Records));
  // A partial batch response: Lambda retries from the earliest record named.
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
