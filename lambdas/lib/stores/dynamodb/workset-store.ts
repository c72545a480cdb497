/** The WorksetStore on DynamoDB: conditional writes only, every attribute name aliased. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WorksetRecord } from '../../domain/workset.ts';
import { WorksetIdCollision, type BeginRegistrationResult, type IdempotencyRecord, type WorksetPage, type WorksetStore } from '../ports.ts';
import { WORKSET_INDEXES } from '../tables.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { counterUpdate, historyPut } from './lifecycle-store.ts';
import { transactWrite, type TransactWriteItem } from './transactions.ts';
import { moveDelta } from '../../domain/queue-stats.ts';

export interface WorksetTables {
  readonly worksets: string;
  readonly customers: string;
  readonly idempotency: string;
}

/** Queries one listing page may make when a filter discards most items (bounds the latency). */
const MAX_FILTERED_QUERIES = 10;
/** Claims of an idempotency key that expired between the failed write and the read that saw it. */
const EXPIRED_KEY_RETRIES = 3;

export class DynamoWorksetStore implements WorksetStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: WorksetTables,
  ) {}

  async beginRegistration(record: WorksetRecord, idempotency?: IdempotencyRecord): Promise<BeginRegistrationResult> {
    // Positions matter: the outcome names failed conditions by index.
    const [CUSTOMER, WORKSET, KEY] = [0, 1, 2];
    const items = (): TransactWriteItem[] => [
      {
        ConditionCheck: {
          TableName: this.tables.customers,
          Key: { customer_id: record.customer_id },
          ConditionExpression: 'attribute_exists(#customer_id)',
          ExpressionAttributeNames: { '#customer_id': 'customer_id' },
        },
      },
      {
        Put: {
          TableName: this.tables.worksets,
          Item: record,
          ConditionExpression: 'attribute_not_exists(#workset_id)',
          ExpressionAttributeNames: { '#workset_id': 'workset_id' },
        },
      },
      ...(idempotency
        ? [
            {
              Put: {
                TableName: this.tables.idempotency,
                Item: idempotency,
                // An expired record (TTL deletion lags by hours) no longer holds the key.
                ConditionExpression: 'attribute_not_exists(#key) OR #expires_at < :now',
                ExpressionAttributeNames: { '#key': 'idempotency_key', '#expires_at': 'expires_at' },
                ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
              },
            },
          ]
        : []),
      // The audit history and the queue counters move in the same transaction (lifecycle-store.ts).
      ...(record.state_history[0] ? [historyPut(this.tables.worksets, record.workset_id, 0, record.state_history[0])] : []),
      counterUpdate(this.tables.worksets, moveDelta(null, 'registering'))!,
    ];
    for (let claim = 0; ; claim += 1) {
      const outcome = await transactWrite(this.db, items);
      if (outcome.ok) return { kind: 'created' };
      const failed = outcome.failedConditions;
      if (failed.has(CUSTOMER)) return { kind: 'unknown-customer' };
      if (idempotency && failed.has(KEY)) {
        const existing = await this.getIdempotencyRecord(idempotency.idempotency_key);
        if (existing && existing.expires_at >= Math.floor(Date.now() / 1000)) return { kind: 'key-in-use', existing };
        if (claim < EXPIRED_KEY_RETRIES) continue; // expired (or removed) since the write: claim it afresh
      }
      // 32 random bits collided with an existing id: the caller draws another id.
      if (failed.has(WORKSET)) throw new WorksetIdCollision(record.workset_id);
      throw new Error(`registration transaction refused by conditions ${[...failed].join(', ')}`);
    }
  }

  async completeRegistration(input: Parameters<WorksetStore['completeRegistration']>[0]): Promise<boolean> {
    // Fenced: no request withdrew daylily.ready since this one read the count (before its put).
    const fence = input.withdrawals === undefined ? 'attribute_not_exists(#withdrawals)' : '#withdrawals = :withdrawals';
    const update = {
      Update: {
        TableName: this.tables.worksets,
        Key: { workset_id: input.worksetId },
        UpdateExpression:
          'SET #state = :ready, #updated_at = :at, #history = list_append(#history, :entry), #version = :version',
        ConditionExpression: `#state = :registering AND ${fence}`,
        ExpressionAttributeNames: {
          '#state': 'state',
          '#updated_at': 'updated_at',
          '#history': 'state_history',
          '#version': 'version',
          '#withdrawals': 'ready_withdrawals',
        },
        ExpressionAttributeValues: {
          ':ready': 'ready',
          ':registering': 'registering',
          ':at': input.at,
          ':entry': [input.entry],
          ':version': 1,
          ...(input.withdrawals === undefined ? {} : { ':withdrawals': input.withdrawals }),
        },
      },
    };
    const respond = input.idempotency && {
      Update: {
        TableName: this.tables.idempotency,
        Key: { idempotency_key: input.idempotency.key },
        UpdateExpression: 'SET #response = :response',
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: { '#response': 'response', '#key': 'idempotency_key' },
        ExpressionAttributeValues: { ':response': input.idempotency.response },
      },
    };
    const outcome = await transactWrite(this.db, () => [
      update,
      ...(respond ? [respond] : []),
      historyPut(this.tables.worksets, input.worksetId, 1, input.entry),
      counterUpdate(this.tables.worksets, moveDelta('registering', 'ready'))!,
    ]);
    if (outcome.ok) return true;
    // Refused by the first item: no longer `registering` (a concurrent request completed it, or it
    // was deleted), or fenced off by a withdrawal of daylily.ready. The caller's re-read tells which.
    if (outcome.failedConditions.has(0)) return false;
    throw new Error(`the idempotency record of ${input.worksetId} vanished before registration completed`);
  }

  async fenceReadyWithdrawal(worksetId: string): Promise<WorksetRecord | undefined> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.worksets,
          Key: { workset_id: worksetId },
          // Neither the version nor updated_at: this is no state change, and the lifecycle's
          // version-fenced writes must not be disturbed by it.
          UpdateExpression: 'SET #withdrawals = if_not_exists(#withdrawals, :zero) + :one',
          ConditionExpression: '#state = :registering',
          ExpressionAttributeNames: { '#withdrawals': 'ready_withdrawals', '#state': 'state' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':registering': 'registering' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as WorksetRecord | undefined;
    } catch (error) {
      // No longer `registering` (or gone): there is no flip left to fence.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async abandonRegistration(worksetId: string): Promise<boolean> {
    // Refused when no longer `registering`: then there is nothing to abandon.
    const outcome = await transactWrite(this.db, () => [
      {
        Delete: {
          TableName: this.tables.worksets,
          Key: { workset_id: worksetId },
          ConditionExpression: '#state = :registering',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':registering': 'registering' },
        },
      },
      counterUpdate(this.tables.worksets, moveDelta('registering', null))!,
    ]);
    return outcome.ok;
  }

  async getWorkset(worksetId: string): Promise<WorksetRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tables.worksets, Key: { workset_id: worksetId }, ConsistentRead: true }),
    );
    return result.Item as WorksetRecord | undefined;
  }

  async getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tables.idempotency, Key: { idempotency_key: key }, ConsistentRead: true }),
    );
    return result.Item as IdempotencyRecord | undefined;
  }

  async listCustomerWorksets(
    customerId: string,
    options: Parameters<WorksetStore['listCustomerWorksets']>[1],
  ): Promise<WorksetPage> {
    let startKey: Record<string, unknown> | undefined = options.nextToken
      ? decodeCursor(options.nextToken, {
          fields: ['workset_id', 'customer_id', 'created_at'],
          partition: ['customer_id', customerId],
        })
      : undefined;
    const items: WorksetRecord[] = [];
    // With a state filter a page may come back short; keep reading (bounded) so pages are full.
    for (let query = 0; query < MAX_FILTERED_QUERIES; query += 1) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tables.worksets,
          IndexName: WORKSET_INDEXES.byCustomer,
          KeyConditionExpression: '#customer_id = :customer_id',
          ExpressionAttributeNames: { '#customer_id': 'customer_id', ...(options.state ? { '#state': 'state' } : {}) },
          ExpressionAttributeValues: { ':customer_id': customerId, ...(options.state ? { ':state': options.state } : {}) },
          ...(options.state ? { FilterExpression: '#state = :state' } : {}),
          ScanIndexForward: false,
          // Never evaluate more than the page still needs: every evaluated item is then either
          // returned or filtered out, and LastEvaluatedKey is an exact resume point.
          Limit: options.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((result.Items ?? []) as WorksetRecord[]));
      startKey = result.LastEvaluatedKey;
      if (!startKey || items.length >= options.limit) break;
    }
    return { items, nextToken: encodeCursor(startKey) };
  }
}

