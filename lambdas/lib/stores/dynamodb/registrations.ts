/**
 * Registration's writes in the worksets adapter: the first transaction (the customer exists with a
 * slot free, key claimed, `registering` record created, the slot and the month's registration
 * counted), the ready flip, the withdrawal fence and the rollback (which gives the
 * slot and the count back).
 * Conditional writes only, every attribute name aliased.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { usageMonth } from '../../domain/customer.ts';
import { moveDelta } from '../../domain/queue-counters.ts';
import type { WorksetDetail } from '../../domain/workset-detail.ts';
import { WorksetIdCollision, type IdempotencyRecord, type Registrations } from '../../ports/worksets.ts';
import { sdkCall } from '../aws-errors.ts';
import { counterUpdate as customerCounters, usageOf } from './customer-counters.ts';
import { counterUpdate, historyPut, namesIn } from './expression.ts';
import { CLAIMABLE, toItem } from './queue-index.ts';
import { readRecord, type DynamoContext } from './records.ts';
import { transactWrite, type TransactWriteItem } from './transactions.ts';

/** Claims of an idempotency key that expired between the failed write and the read that saw it. */
const EXPIRED_KEY_RETRIES = 3;

const IS_REGISTERING = '#state = :registering';

/** A condition and its aliases (values only where it has any). */
const conditioned = (condition: string, values?: Record<string, unknown>) => ({
  ConditionExpression: condition,
  ExpressionAttributeNames: namesIn(condition),
  ...(values && { ExpressionAttributeValues: values }),
});

/** An update under a condition, with its aliases. */
const updated = (update: string, condition: string, values: Record<string, unknown>) => ({
  UpdateExpression: update,
  ...conditioned(condition, values),
  ExpressionAttributeNames: namesIn(update, condition),
});

/**
 * How an idempotency record is stored: the first answer as JSON text, since DynamoDB keeps no map
 * key order and a replay must render byte for byte what the first request answered. (`response`
 * is the earlier form, `{status, body, location}`, still read while such records live.)
 */
interface StoredIdempotencyItem extends Omit<IdempotencyRecord, 'answer'> {
  readonly answer?: string;
  readonly response?: { readonly body?: string };
}

function fromItem(item: StoredIdempotencyItem | undefined): IdempotencyRecord | undefined {
  if (!item) return undefined;
  const { answer, response, ...rest } = item;
  const text = answer ?? response?.body;
  return { ...rest, ...(text !== undefined ? { answer: JSON.parse(text) as WorksetDetail } : {}) };
}

export function dynamoRegistrations(ctx: DynamoContext): Registrations {
  const { tables } = ctx;

  async function getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const result = await sdkCall(() => ctx.db.send(new GetCommand({ TableName: tables.idempotency, Key: { idempotency_key: key }, ConsistentRead: true })));
    return fromItem(result.Item as StoredIdempotencyItem | undefined);
  }

  return {
    getWorkset: (worksetId) => readRecord(ctx, worksetId),
    getIdempotencyRecord,

    async beginRegistration(record, idempotency, slot) {
      // Whether a key's window has passed is decided at the registration's own time (its clock).
      const now = Math.floor(Date.parse(record.created_at) / 1000);
      // Positions matter: the outcome names failed conditions by index.
      const [CUSTOMER, SLOT, WORKSET, KEY] = [0, 1, 2, 3];
      const { customer_id: customerId } = record;
      const items = (): TransactWriteItem[] => [
        { ConditionCheck: { TableName: tables.customers, Key: { customer_id: customerId }, ...conditioned('attribute_exists(#customer_id)') } },
        // The slot, within the quota, and the month's count.
        customerCounters(tables.customers, customerId, 1, slot.limit, { month: usageMonth(record.created_at), samples: record.sample_count }),
        { Put: { TableName: tables.worksets, Item: toItem(record), ...conditioned('attribute_not_exists(#workset_id)') } },
        // An expired record (TTL deletion lags by hours) no longer holds the key.
        ...(idempotency ? [{ Put: { TableName: tables.idempotency, Item: idempotency, ...conditioned('attribute_not_exists(#idempotency_key) OR #expires_at < :now', { ':now': now }) } }] : []),
        // The history and the queue counters move in the same transaction, as for every state change.
        ...(record.state_history[0] ? [historyPut(tables.worksets, { worksetId: record.workset_id, customerId: record.customer_id, version: 0, entry: record.state_history[0] })] : []),
        counterUpdate(tables.worksets, moveDelta(null, 'registering'), ctx.random)!,
      ];
      for (let claim = 0; ; claim += 1) {
        // Many registrations of one customer contend for its slot counter: more attempts than a
        // workset's own writes need.
        const outcome = await transactWrite(ctx.db, items, { random: ctx.random, attempts: 16 });
        if (outcome.ok) return { kind: 'created' };
        const failed = outcome.failedConditions;
        if (failed.has(CUSTOMER)) return { kind: 'unknown-customer' };
        if (idempotency && failed.has(KEY)) {
          const existing = await getIdempotencyRecord(idempotency.idempotency_key);
          if (existing && existing.expires_at >= now) return { kind: 'key-in-use', existing };
          if (claim < EXPIRED_KEY_RETRIES) continue; // expired (or removed) since the write: claim it afresh
        }
        if (failed.has(SLOT)) return { kind: 'quota-exceeded', usage: usageOf(outcome.oldItems[SLOT]) };
        // 32 random bits collided with an existing id: the caller draws another id.
        if (failed.has(WORKSET)) throw new WorksetIdCollision(record.workset_id);
        throw new Error(`registration transaction refused by conditions ${[...failed].join(', ')}`);
      }
    },

    async completeRegistration(input) {
      // Fenced: no request withdrew daylily.ready since this one read the count (before its put).
      const fence = input.withdrawals === undefined ? 'attribute_not_exists(#ready_withdrawals)' : '#ready_withdrawals = :withdrawals';
      const update = {
        Update: {
          TableName: tables.worksets,
          Key: { workset_id: input.worksetId },
          // `claimable`: into the queue's index (stores/dynamodb/queue-index.ts).
          ...updated(`SET #state = :ready, #${CLAIMABLE} = :ready, #updated_at = :at, #state_history = list_append(#state_history, :entry), #version = :version`, `#state = :registering AND ${fence}`, {
            ':ready': 'ready',
            ':registering': 'registering',
            ':at': input.at,
            ':entry': [input.entry],
            ':version': 1,
            ...(input.withdrawals === undefined ? {} : { ':withdrawals': input.withdrawals }),
          }),
        },
      };
      // The key's record of this registration: not one that claimed the key after it expired.
      const respond = input.idempotency && {
        Update: {
          TableName: tables.idempotency,
          Key: { idempotency_key: input.idempotency.key },
          ...updated('SET #answer = :answer', 'attribute_exists(#idempotency_key) AND #workset_id = :workset_id', { ':answer': JSON.stringify(input.idempotency.answer), ':workset_id': input.worksetId }),
        },
      };
      const outcome = await transactWrite(
        ctx.db,
        () => [
          update,
          ...(respond ? [respond] : []),
          historyPut(tables.worksets, { worksetId: input.worksetId, customerId: input.customerId, version: 1, entry: input.entry }),
          counterUpdate(tables.worksets, moveDelta('registering', 'ready'), ctx.random)!,
        ],
        { random: ctx.random },
      );
      if (outcome.ok) return true;
      // Refused by the first item: no longer `registering` (a concurrent request completed it, or it
      // was deleted), or fenced off by a withdrawal of daylily.ready. The caller's re-read tells which.
      if (outcome.failedConditions.has(0)) return false;
      throw new Error(`the idempotency record of ${input.worksetId} vanished (or names another workset) before registration completed`);
    },

    async fenceReadyWithdrawal(worksetId) {
      // A one-item transaction, not UpdateItem: the adapter already carries TransactWriteItems, and
      // the record as fenced is read back (consistently) right after, never before.
      const outcome = await transactWrite(
        ctx.db,
        () => [
          {
            Update: {
              TableName: tables.worksets,
              Key: { workset_id: worksetId },
              // Neither the version nor updated_at: this is no state change, and the lifecycle's
              // version-fenced writes must not be disturbed by it.
              ...updated('SET #ready_withdrawals = if_not_exists(#ready_withdrawals, :zero) + :one', IS_REGISTERING, { ':zero': 0, ':one': 1, ':registering': 'registering' }),
            },
          },
        ],
        { random: ctx.random },
      );
      // Refused: no longer `registering` (or gone), so there is no flip left to fence.
      return outcome.ok ? readRecord(ctx, worksetId) : undefined;
    },

    async abandonRegistration(worksetId) {
      // Whose slot and which month's count to give back: fields a record never changes.
      const record = await readRecord(ctx, worksetId);
      if (record?.state !== 'registering') return false;
      // Refused when no longer `registering`: then there is nothing to abandon.
      const outcome = await transactWrite(
        ctx.db,
        () => [
          { Delete: { TableName: tables.worksets, Key: { workset_id: worksetId }, ...conditioned(IS_REGISTERING, { ':registering': 'registering' }) } },
          counterUpdate(tables.worksets, moveDelta('registering', null), ctx.random)!,
          customerCounters(tables.customers, record.customer_id, -1, undefined, { month: usageMonth(record.created_at), samples: record.sample_count }),
        ],
        { random: ctx.random },
      );
      return outcome.ok;
    },
  };
}
