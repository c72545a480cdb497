/**
 * The reconciler's reads and writes in the worksets adapter: the flagged records and the recent
 * changes (both through the reconcile index), batch reads, counts per state, the counter shards
 * and their conditional adjustment, the customers' slot counters and theirs, and the
 * reconciler's cursor item.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { COUNTER_SHARD_IDS } from '../../domain/queue-counters.ts';
import type { StateChangeDetail } from '../../domain/state-change-event.ts';
import { WORKSET_STATES, type WorksetState } from '../../domain/workset.ts';
import type { CounterShard, Reconciliation, ReconcilerCursor } from '../../ports/worksets.ts';
import { sdkCall } from '../aws-errors.ts';
import { CUSTOMER_INDEXES, CUSTOMER_ITEM_KEYS, WORKSET_INDEXES } from '../tables.ts';
import { DIRECTORY, DIRECTORY_VALUE } from './customer-settings.ts';
import { ACTIVE } from './customer-counters.ts';
import { changeFromHistoryItem, Expression } from './expression.ts';
import { fromItem } from './queue-index.ts';
import { changesPartitions, FLAGGED_PARTITION, RECONCILE_AT, RECONCILE_KEY } from './reconcile-index.ts';
import { conditionally, type DynamoContext } from './records.ts';
import { transactWrite, type TransactWriteItem } from './transactions.ts';
import { decodeTokenObject, encodeToken } from '../cursor-token.ts';

/** The cursor's item: `#` keeps it out of every workset index, as the counters are. */
export const CURSOR_ID = '#reconciler#cursor';

/** BatchGetItem reads at most 100 keys a request. */
const BATCH_GET = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every item of `keys`, consistently, retrying what DynamoDB leaves unprocessed. */
async function batchGet(ctx: DynamoContext, keys: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const table = ctx.tables.worksets;
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + BATCH_GET) as Record<string, unknown>[];
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error('a batch read kept leaving keys unprocessed');
      if (attempt > 0) await sleep(Math.min(20 * 2 ** attempt, 500));
      const result = await sdkCall(() => ctx.db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } })));
      items.push(...(result.Responses?.[table] ?? []));
      pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return items;
}

const encode = encodeToken;
/** A start key this adapter issued (the reconciler hands back what it was given; nobody else does). */
const decode = <T>(token: string): T => decodeTokenObject(token) as T;

export function dynamoReconciliation(ctx: DynamoContext): Reconciliation {
  const table = ctx.tables.worksets;
  /** One page of the reconcile index under the key condition `condition` writes. */
  const queryReconcileIndex = (condition: (e: Expression) => string, limit: number, startKey: Record<string, unknown> | undefined) => {
    const e = new Expression();
    const KeyConditionExpression = condition(e);
    return sdkCall(() =>
      ctx.db.send(
        new QueryCommand({ TableName: table, IndexName: WORKSET_INDEXES.reconcile, KeyConditionExpression, ...e.params(), Limit: limit, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      ),
    );
  };

  return {
    async flaggedRecords(input) {
      const result = await queryReconcileIndex(
        (e) => `${e.name(RECONCILE_KEY)} = ${e.value(FLAGGED_PARTITION)}`,
        input.limit,
        input.startKey ? decode<Record<string, unknown>>(input.startKey) : undefined,
      );
      return { items: (result.Items ?? []).map(fromItem), ...(result.LastEvaluatedKey ? { nextKey: encode(result.LastEvaluatedKey) } : {}) };
    },

    async changesSince(input) {
      // An empty window (a clock behind the one that wrote the cursor): DynamoDB refuses BETWEEN on it.
      if (input.since > input.until) return { items: [] };
      // One partition per hour: the start key says which one the last page stopped in.
      const partitions = changesPartitions(input.since, input.until);
      let { partition, key } = input.startKey
        ? decode<{ partition: number; key?: Record<string, unknown> }>(input.startKey)
        : { partition: 0, key: undefined as Record<string, unknown> | undefined };
      const items: StateChangeDetail[] = [];
      while (partition < partitions.length && items.length < input.limit) {
        const hour = partitions[partition]!;
        const result = await queryReconcileIndex(
          (e) => `${e.name(RECONCILE_KEY)} = ${e.value(hour)} AND ${e.name(RECONCILE_AT)} BETWEEN ${e.value(input.since)} AND ${e.value(input.until)}`,
          input.limit - items.length,
          key,
        );
        for (const item of result.Items ?? []) {
          const change = changeFromHistoryItem(item);
          if (change) items.push(change);
        }
        key = result.LastEvaluatedKey;
        if (!key) partition += 1;
      }
      const more = partition < partitions.length;
      return { items, ...(more ? { nextKey: encode({ partition, ...(key ? { key } : {}) }) } : {}) };
    },

    async getWorksets(worksetIds) {
      const ids = [...new Set(worksetIds)].filter((id) => !id.includes('#'));
      return (await batchGet(ctx, ids.map((workset_id) => ({ workset_id })))).map(fromItem);
    },

    async countInState(state) {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const e = new Expression();
        const result = await sdkCall(() =>
          ctx.db.send(
            new QueryCommand({
              TableName: table,
              IndexName: WORKSET_INDEXES.byState,
              KeyConditionExpression: `${e.name('state')} = ${e.value(state)}`,
              Select: 'COUNT',
              ...e.params(),
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        count += result.Count ?? 0;
        startKey = result.LastEvaluatedKey;
      } while (startKey);
      return count;
    },

    async counterShards() {
      const items = await batchGet(ctx, COUNTER_SHARD_IDS.map((workset_id) => ({ workset_id })));
      const byId = new Map(items.map((item) => [item.workset_id as string, item]));
      return COUNTER_SHARD_IDS.map((id) => {
        const item = byId.get(id) ?? {};
        const counts: Partial<Record<WorksetState, number>> = {};
        for (const state of WORKSET_STATES) if (typeof item[state] === 'number') counts[state] = item[state] as number;
        return { id, counts };
      });
    },

    async adjustCounter(input) {
      // Every shard must still hold what was read for the state; one of them takes the delta. A
      // transaction may not touch an item twice, so that shard's own condition rides on its update.
      const condition = (e: Expression, shard: CounterShard): string => {
        const value = shard.counts[input.state];
        return value === undefined ? `attribute_not_exists(${e.name(input.state)})` : `${e.name(input.state)} = ${e.value(value)}`;
      };
      const [target, ...others] = input.shards;
      if (!target) return false;
      const items = (): TransactWriteItem[] => {
        const update = new Expression();
        return [
          {
            Update: {
              TableName: table,
              Key: { workset_id: target.id },
              UpdateExpression: `ADD ${update.name(input.state)} ${update.value(input.delta)}`,
              ConditionExpression: condition(update, target),
              ...update.params(),
            },
          },
          ...others.map((shard): TransactWriteItem => {
            const e = new Expression();
            return { ConditionCheck: { TableName: table, Key: { workset_id: shard.id }, ConditionExpression: condition(e, shard), ...e.params() } };
          }),
        ];
      };
      return (await transactWrite(ctx.db, items, { random: ctx.random })).ok;
    },

    async slotCounters(customerIds) {
      const counters = new Map<string, number>();
      // One GetItem each, not a batch: the entry may read counter items only, a grant by key that
      // covers single-item actions (infra/entry-permissions.ts).
      await Promise.all(
        [...new Set(customerIds)].map(async (customerId) => {
          const key = { customer_id: CUSTOMER_ITEM_KEYS.counters(customerId) };
          const { Item } = await sdkCall(() => ctx.db.send(new GetCommand({ TableName: ctx.tables.customers, Key: key, ConsistentRead: true })));
          if (typeof Item?.[ACTIVE] === 'number') counters.set(customerId, Item[ACTIVE]);
        }),
      );
      return counters;
    },

    adjustSlots(input) {
      return conditionally(() =>
        ctx.db.send(
          new UpdateCommand({
            TableName: ctx.tables.customers,
            Key: { customer_id: CUSTOMER_ITEM_KEYS.counters(input.customerId) },
            UpdateExpression: 'ADD #a :d',
            ConditionExpression: input.expected === undefined ? 'attribute_not_exists(#a)' : '#a = :read',
            ExpressionAttributeNames: { '#a': ACTIVE },
            ExpressionAttributeValues: { ':d': input.delta, ...(input.expected !== undefined && { ':read': input.expected }) },
          }),
        ),
      );
    },

    async customerTurn(after, limit) {
      // The directory index holds customer items only (keys projected alone would do; it projects all).
      const result = await sdkCall(() =>
        ctx.db.send(
          new QueryCommand({
            TableName: ctx.tables.customers,
            IndexName: CUSTOMER_INDEXES.directory,
            KeyConditionExpression: after === undefined ? '#d = :d' : '#d = :d AND #c > :after',
            ProjectionExpression: '#c',
            ExpressionAttributeNames: { '#d': DIRECTORY, '#c': 'customer_id' },
            ExpressionAttributeValues: { ':d': DIRECTORY_VALUE, ...(after !== undefined && { ':after': after }) },
            Limit: limit,
          }),
        ),
      );
      return { customerIds: (result.Items ?? []).map((item) => String(item.customer_id)), more: result.LastEvaluatedKey !== undefined };
    },

    async readCursor() {
      const result = await sdkCall(() => ctx.db.send(new GetCommand({ TableName: table, Key: { workset_id: CURSOR_ID }, ConsistentRead: true })));
      if (!result.Item) return undefined;
      const { workset_id: _id, ...cursor } = result.Item;
      return cursor as ReconcilerCursor;
    },

    async writeCursor(cursor, expected) {
      const e = new Expression();
      return conditionally(() =>
        ctx.db.send(
          new PutCommand({
            TableName: table,
            Item: { ...cursor, workset_id: CURSOR_ID, version: (expected ?? 0) + 1 },
            // Two passes at once: the later write of the same version loses, and its pass's
            // progress is simply redone.
            ConditionExpression: expected === undefined ? `attribute_not_exists(${e.name('workset_id')})` : `${e.name('version')} = ${e.value(expected)}`,
            ...e.params(),
          }),
        ),
      );
    },
  };
}
