/** Reads of the worksets adapter: one record, listings (by customer, by state), the queue, counters, history. */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { COUNTER_SHARD_IDS, sumShards } from '../../domain/queue-counters.ts';
import { PRIORITIES, WORKSET_STATES, type HistoryEntry, type WorksetRecord, type WorksetState } from '../../domain/workset.ts';
import type { ExpiredLease, ListingFilter, QueueCandidate, WorksetPage, WorksetQueries } from '../../ports/worksets.ts';
import { sdkCall } from '../aws-errors.ts';
import { WORKSET_INDEXES } from '../tables.ts';
import { decodeTokenObject } from '../cursor-token.ts';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';
import { Expression } from './expression.ts';
import { CLAIMABLE, fromItem, LIVE, LIVE_LEASE } from './queue-index.ts';
import { readRecord, type DynamoContext } from './records.ts';

/** Queries one listing page may make when a filter discards most items (bounds the latency). */
const MAX_FILTERED_QUERIES = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CUSTOMER_CURSOR_FIELDS = ['workset_id', 'customer_id', 'created_at'] as const;

/**
 * One listing page, filled within its item limit and its byte budget (records as JSON, about what
 * their answers carry). A page always takes at least one record, so it always makes progress.
 */
class PageFill {
  readonly items: WorksetRecord[] = [];
  private bytes = 0;

  constructor(private readonly filter: ListingFilter) {}

  /** How many more items the page takes. */
  get room(): number {
    return this.filter.limit - this.items.length;
  }

  /**
   * Takes what fits of `records`; when not all did, the index key (`keyAttributes`) of the last
   * one taken, where the next page resumes (as LastEvaluatedKey would name it).
   */
  add(records: readonly WorksetRecord[], keyAttributes: readonly (keyof WorksetRecord)[]): Record<string, unknown> | undefined {
    for (const record of records) {
      const size = this.filter.maxBytes === undefined ? 0 : JSON.stringify(record).length;
      if (this.filter.maxBytes !== undefined && this.bytes + size > this.filter.maxBytes && this.items.length > 0) {
        const last = this.items.at(-1)!;
        return Object.fromEntries(keyAttributes.map((attribute) => [attribute, last[attribute]]));
      }
      this.items.push(record);
      this.bytes += size;
    }
    return undefined;
  }
}

/** One customer's worksets, newest first; `state` and `priority` filter (pages are still filled, within bounds). */
async function listByCustomer(ctx: DynamoContext, filter: ListingFilter & { customerId: string }): Promise<WorksetPage> {
  let startKey: Record<string, unknown> | undefined = filter.nextToken
    ? decodeCursor(filter.nextToken, { fields: CUSTOMER_CURSOR_FIELDS, partition: ['customer_id', filter.customerId] })
    : undefined;
  const page = new PageFill(filter);
  for (let query = 0; query < MAX_FILTERED_QUERIES && page.room > 0; query += 1) {
    const e = new Expression();
    const filters = [
      ...(filter.state ? [`${e.name('state')} = ${e.value(filter.state)}`] : []),
      ...(filter.priority ? [`${e.name('priority')} = ${e.value(filter.priority)}`] : []),
    ];
    const result = await sdkCall(() =>
      ctx.db.send(
        new QueryCommand({
          TableName: ctx.tables.worksets,
          IndexName: WORKSET_INDEXES.byCustomer,
          KeyConditionExpression: `${e.name('customer_id')} = ${e.value(filter.customerId)}`,
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ...e.params(),
          ScanIndexForward: false,
          // Never evaluate more than the page still needs: every evaluated item is then either
          // returned or filtered out, and LastEvaluatedKey is an exact resume point.
          Limit: page.room,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    const cutAt = page.add((result.Items ?? []).map(fromItem), CUSTOMER_CURSOR_FIELDS);
    startKey = cutAt ?? result.LastEvaluatedKey;
    if (cutAt || !startKey) break;
  }
  const nextToken = encodeCursor(startKey);
  return { items: page.items, ...(nextToken ? { nextToken } : {}) };
}

/**
 * `queueOrderPrefix`: the listing's priority filter, a key condition (`begins_with`). A cursor of
 * another priority's range (e.g. from the unfiltered listing) is refused here: DynamoDB would
 * refuse the query with a ValidationException, a 500.
 */
function decodeStateCursor(
  token: string | undefined,
  states: readonly WorksetState[],
  queueOrderPrefix: string | undefined,
): { stateIndex: number; startKey?: Record<string, string> } {
  if (!token) return { stateIndex: 0 };
  const state = decodeTokenObject(token).state;
  const stateIndex = states.indexOf(state as WorksetState);
  if (stateIndex < 0) throw invalidCursor();
  let startKey: Record<string, string>;
  try {
    startKey = decodeCursor(token, { fields: ['workset_id', 'state', 'queue_order'], partition: ['state', states[stateIndex]!] });
  } catch {
    // The start of the next state: a cursor carrying only the state.
    decodeCursor(token, { fields: ['state'], partition: ['state', states[stateIndex]!] });
    return { stateIndex };
  }
  if (queueOrderPrefix !== undefined && !startKey.queue_order!.startsWith(queueOrderPrefix)) throw invalidCursor();
  return { stateIndex, startKey };
}

/** By state, in queue order; without a state filter, state after state (WORKSET_STATES order). */
async function listByState(ctx: DynamoContext, filter: ListingFilter): Promise<WorksetPage> {
  const states = filter.state ? [filter.state] : WORKSET_STATES;
  // queue_order = `{priority rank}#{created_at}`: a priority is a key prefix, not a filter.
  const queueOrderPrefix = filter.priority ? `${PRIORITIES.indexOf(filter.priority)}#` : undefined;
  const decoded = decodeStateCursor(filter.nextToken, states, queueOrderPrefix);
  let stateIndex = decoded.stateIndex;
  let startKey: Record<string, unknown> | undefined = decoded.startKey;
  const page = new PageFill(filter);
  while (stateIndex < states.length && page.room > 0) {
    const state = states[stateIndex]!;
    const e = new Expression();
    const key = [`${e.name('state')} = ${e.value(state)}`];
    if (queueOrderPrefix) key.push(`begins_with(${e.name('queue_order')}, ${e.value(queueOrderPrefix)})`);
    const result = await sdkCall(() =>
      ctx.db.send(
        new QueryCommand({
          TableName: ctx.tables.worksets,
          IndexName: WORKSET_INDEXES.byState,
          KeyConditionExpression: key.join(' AND '),
          ...e.params(),
          Limit: page.room,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      ),
    );
    const cutAt = page.add((result.Items ?? []).map(fromItem), ['workset_id', 'state', 'queue_order']);
    if (cutAt) {
      startKey = cutAt;
      break;
    }
    startKey = result.LastEvaluatedKey;
    if (!startKey) stateIndex += 1;
  }
  const nextToken = stateIndex >= states.length ? undefined : encodeCursor(startKey ?? { state: states[stateIndex]! });
  return { items: page.items, ...(nextToken ? { nextToken } : {}) };
}

export function dynamoWorksetQueries(ctx: DynamoContext): WorksetQueries {
  return {
    getWorkset: (worksetId) => readRecord(ctx, worksetId),

    listWorksets: (filter) => (filter.customerId !== undefined ? listByCustomer(ctx, { ...filter, customerId: filter.customerId }) : listByState(ctx, filter)),

    async queueCandidates(input) {
      const e = new Expression();
      // The claimable index holds unleased worksets only; a retrying one waits out its backoff.
      const filter = input.state === 'retrying' ? `attribute_not_exists(${e.name('retry_after')}) OR ${e.name('retry_after')} <= ${e.value(input.now)}` : undefined;
      const result = await sdkCall(() =>
        ctx.db.send(
          new QueryCommand({
            TableName: ctx.tables.worksets,
            IndexName: WORKSET_INDEXES.claimable,
            KeyConditionExpression: `${e.name(CLAIMABLE)} = ${e.value(input.state)}`,
            ...(filter ? { FilterExpression: filter } : {}),
            // Only what ordering and the grant need: a page of whole records would be ~100x larger.
            ProjectionExpression: [e.name('workset_id'), e.name('queue_order'), e.name('state')].join(', '),
            ...e.params(),
            Limit: input.limit,
            ...(input.startKey ? { ExclusiveStartKey: input.startKey } : {}),
          }),
        ),
      );
      return { items: (result.Items ?? []) as QueueCandidate[], ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}) };
    },

    async expiredLeases(input) {
      const e = new Expression();
      const result = await sdkCall(() =>
        ctx.db.send(
          new QueryCommand({
            TableName: ctx.tables.worksets,
            IndexName: WORKSET_INDEXES.leaseExpiry,
            KeyConditionExpression: `${e.name(LIVE_LEASE)} = ${e.value(LIVE)} AND ${e.name('lease_expires_at')} <= ${e.value(input.now)}`,
            ProjectionExpression: ['workset_id', 'queue_order', 'state', 'lock_owner', 'lease_expires_at'].map((name) => e.name(name)).join(', '),
            ...e.params(),
            Limit: input.limit,
          }),
        ),
      );
      return (result.Items ?? []) as ExpiredLease[];
    },

    async queueStats() {
      const table = ctx.tables.worksets;
      const shards: Record<string, unknown>[] = [];
      let keys: Record<string, unknown>[] = COUNTER_SHARD_IDS.map((id) => ({ workset_id: id }));
      for (let attempt = 0; keys.length > 0; attempt += 1) {
        if (attempt > 0) await sleep(Math.min(20 * 2 ** attempt, 500));
        const result = await sdkCall(() => ctx.db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } })));
        shards.push(...(result.Responses?.[table] ?? []));
        keys = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
        if (attempt > 8 && keys.length > 0) throw new Error('queue counters could not be read (unprocessed keys)');
      }
      return sumShards(shards);
    },

    async history(worksetId, options) {
      const e = new Expression();
      const result = await sdkCall(() =>
        ctx.db.send(
          new QueryCommand({
            TableName: ctx.tables.worksets,
            IndexName: WORKSET_INDEXES.history,
            KeyConditionExpression: `${e.name('history_of')} = ${e.value(worksetId)}`,
            ...e.params(),
            Limit: options.limit,
            ...(options.nextToken
              ? { ExclusiveStartKey: decodeCursor(options.nextToken, { fields: ['workset_id', 'history_of', 'entry_id'], partition: ['history_of', worksetId] }) }
              : {}),
          }),
        ),
      );
      const entries = (result.Items ?? []).map((item): HistoryEntry => {
        const { from, to, reason, actor, at, error_category } = item as HistoryEntry;
        return { from: from ?? null, to, reason, actor, at, ...(error_category ? { error_category } : {}) };
      });
      const nextToken = encodeCursor(result.LastEvaluatedKey);
      return { entries, ...(nextToken ? { nextToken } : {}) };
    },
  };
}
