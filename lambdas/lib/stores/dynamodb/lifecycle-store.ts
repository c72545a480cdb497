/**
 * The LifecycleStore on DynamoDB. Every state change is ONE TransactWriteItems: the record update
 * conditioned on its state and version (and on the lease or the customer where the flow says so),
 * the history item, and the queue counters. Lease operations are single conditional UpdateItems.
 * When a condition fails, the record is read afterwards (never before) to say why.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { historyEntryId, type AuditEntry, type LifecycleRecord, type MoveClaim } from '../../domain/lifecycle.ts';
import { COUNTER_SHARD_IDS, moveDelta, randomShardId, sumShards, type CountDelta, type QueueStats } from '../../domain/queue-stats.ts';
import { PRIORITIES, WORKSET_STATES, type Priority, type WorksetState } from '../../domain/workset.ts';
import { InvalidInputError } from '../../errors.ts';
import type { HistoryPage, LeaseClaim, LifecyclePage, LifecycleStore, StateChange, WriteOutcome } from '../ports.ts';
import { HISTORY_ITEM_SEPARATOR, WORKSET_INDEXES } from '../tables.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { transactWrite, type TransactWriteItem } from './transactions.ts';

/** Queries one listing page may make when a filter discards most items (bounds the latency). */
const MAX_FILTERED_QUERIES = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds an expression with every attribute name and value aliased (DynamoDB reserves hundreds
 * of words, `state` and `metrics` among them).
 */
export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private count = 0;

  name(attribute: string): string {
    const existing = Object.entries(this.names).find(([, value]) => value === attribute);
    if (existing) return existing[0];
    const alias = `#n${this.count++}`;
    this.names[alias] = attribute;
    return alias;
  }

  /** A nested path, each segment aliased. */
  path(...segments: string[]): string {
    return segments.map((segment) => this.name(segment)).join('.');
  }

  value(value: unknown): string {
    const alias = `:v${this.count++}`;
    this.values[alias] = value;
    return alias;
  }

  /** `#state IN (:a, :b)` */
  oneOf(attribute: string, options: readonly string[]): string {
    return `${this.name(attribute)} IN (${options.map((option) => this.value(option)).join(', ')})`;
  }

  params(): { ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** The counter update of one state move, on a random shard. */
export function counterUpdate(table: string, delta: CountDelta, random: () => number = Math.random): TransactWriteItem | undefined {
  const entries = Object.entries(delta).filter(([, value]) => value !== 0);
  if (entries.length === 0) return undefined;
  const expression = new Expression();
  const adds = entries.map(([state, value]) => `${expression.name(state)} ${expression.value(value)}`);
  return { Update: { TableName: table, Key: { workset_id: randomShardId(random) }, UpdateExpression: `ADD ${adds.join(', ')}`, ...expression.params() } };
}

/** The history item of an entry: its own key, findable by workset through the history index. */
export function historyPut(table: string, worksetId: string, version: number, entry: AuditEntry): TransactWriteItem {
  const entryId = historyEntryId(version);
  // Fixed key order in what is stored: DynamoDB keeps no map order, readers rebuild it anyway.
  const { from, to, reason, actor, at, error_category } = entry;
  return {
    Put: {
      TableName: table,
      Item: {
        workset_id: `${worksetId}${HISTORY_ITEM_SEPARATOR}${entryId}`,
        history_of: worksetId,
        entry_id: entryId,
        from,
        to,
        reason,
        actor,
        at,
        ...(error_category ? { error_category } : {}),
      },
    },
  };
}

/** The record after a change the store wrote (what the update expression did, in memory). */
export function applyStateChange(base: LifecycleRecord, change: StateChange): LifecycleRecord {
  const next: Record<string, unknown> = {
    ...base,
    ...change.set,
    state: change.to,
    version: change.version + 1,
    updated_at: change.at,
    state_history: change.history,
  };
  for (const attribute of change.remove ?? []) delete next[attribute];
  if (change.metrics) next.metrics = { ...(change.metrics.exists ? base.metrics : {}), ...change.metrics.merge };
  if (change.revokeLease) {
    delete next.lock_owner;
    delete next.lease_expires_at;
    delete next.lock_acquired_at;
    next.lease_epoch = (base.lease_epoch ?? 0) + 1;
  }
  return next as unknown as LifecycleRecord;
}

const LEASE_ATTRIBUTES = ['lock_owner', 'lease_expires_at', 'lock_acquired_at'] as const;

export class DynamoLifecycleStore implements LifecycleStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly random: () => number = Math.random,
  ) {}

  async getRecord(worksetId: string): Promise<LifecycleRecord | undefined> {
    // History and counter items share the table; their keys contain '#', a workset id never does.
    if (worksetId.includes('#')) return undefined;
    const result = await this.db.send(new GetCommand({ TableName: this.table, Key: { workset_id: worksetId }, ConsistentRead: true }));
    return result.Item as LifecycleRecord | undefined;
  }

  async changeState(change: StateChange, base: LifecycleRecord): Promise<WriteOutcome> {
    const e = new Expression();
    const set = [
      `${e.name('state')} = ${e.value(change.to)}`,
      `${e.name('version')} = ${e.value(change.version + 1)}`,
      `${e.name('updated_at')} = ${e.value(change.at)}`,
      `${e.name('state_history')} = ${e.value(change.history)}`,
    ];
    const remove: string[] = [];
    const conditions = [
      `${e.name('state')} = ${e.value(change.from)}`,
      change.version === 0
        ? `(attribute_not_exists(${e.name('version')}) OR ${e.name('version')} = ${e.value(0)})`
        : `${e.name('version')} = ${e.value(change.version)}`,
    ];
    for (const [attribute, value] of Object.entries(change.set ?? {})) set.push(`${e.name(attribute)} = ${e.value(value)}`);
    for (const attribute of change.remove ?? []) remove.push(e.name(attribute));
    if (change.metrics) {
      if (change.metrics.exists) {
        for (const [key, value] of Object.entries(change.metrics.merge)) set.push(`${e.path('metrics', key)} = ${e.value(value)}`);
        conditions.push(`attribute_exists(${e.name('metrics')})`);
      } else {
        set.push(`${e.name('metrics')} = ${e.value(change.metrics.merge)}`);
        // A progress write (which does not change the version) may have created it since.
        conditions.push(`attribute_not_exists(${e.name('metrics')})`);
      }
    }
    if (change.lease) conditions.push(this.leaseCondition(e, change.lease));
    if (change.revokeLease) {
      remove.push(...LEASE_ATTRIBUTES.map((attribute) => e.name(attribute)));
      set.push(`${e.name('lease_epoch')} = if_not_exists(${e.name('lease_epoch')}, ${e.value(0)}) + ${e.value(1)}`);
    }
    if (change.noLiveLeaseAt) {
      conditions.push(`(attribute_not_exists(${e.name('lock_owner')}) OR ${e.name('lease_expires_at')} <= ${e.value(change.noLiveLeaseAt)})`);
    }
    if (change.customerId !== undefined) conditions.push(`${e.name('customer_id')} = ${e.value(change.customerId)}`);

    const recordUpdate: TransactWriteItem = {
      Update: {
        TableName: this.table,
        Key: { workset_id: change.worksetId },
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ...e.params(),
      },
    };
    const ok = await this.transact(() => [
      recordUpdate,
      historyPut(this.table, change.worksetId, change.version + 1, change.entry),
      counterUpdate(this.table, moveDelta(change.from, change.to), this.random),
    ]);
    if (!ok) return { ok: false, current: await this.getRecord(change.worksetId) };
    return { ok: true, record: applyStateChange(base, change) };
  }

  async grantLease(input: { worksetId: string; owner: string; now: string; expiresAt: string; classify?: boolean }): Promise<WriteOutcome> {
    const e = new Expression();
    const state = e.name('state');
    const retryAfter = e.name('retry_after');
    const owner = e.name('lock_owner');
    const expires = e.name('lease_expires_at');
    const now = e.value(input.now);
    return this.update(input.worksetId, e, {
      UpdateExpression:
        `SET ${owner} = ${e.value(input.owner)}, ${expires} = ${e.value(input.expiresAt)}, ${e.name('lock_acquired_at')} = ${now}, ` +
        `${e.name('lease_epoch')} = if_not_exists(${e.name('lease_epoch')}, ${e.value(0)}) + ${e.value(1)}, ` +
        // Progress merges metrics key by key, which needs the map to exist.
        `${e.name('metrics')} = if_not_exists(${e.name('metrics')}, ${e.value({})}), ${e.name('updated_at')} = ${now}`,
      ConditionExpression:
        `attribute_exists(${e.name('workset_id')}) AND ` +
        `(${state} = ${e.value('ready')} OR (${state} = ${e.value('retrying')} AND (attribute_not_exists(${retryAfter}) OR ${retryAfter} <= ${now}))) AND ` +
        `(attribute_not_exists(${owner}) OR ${expires} <= ${now})`,
    }, input.classify ?? true);
  }

  async renewLease(input: { worksetId: string; owner: string; epoch: number; now: string; expiresAt: string; states: readonly WorksetState[] }): Promise<WriteOutcome> {
    const e = new Expression();
    const now = e.value(input.now);
    return this.update(input.worksetId, e, {
      UpdateExpression: `SET ${e.name('lease_expires_at')} = ${e.value(input.expiresAt)}, ${e.name('updated_at')} = ${now}`,
      // An expired lease is up for grabs: renewing it would race a takeover.
      ConditionExpression: `${this.leaseCondition(e, { owner: input.owner, epoch: input.epoch })} AND ${e.name('lease_expires_at')} > ${now} AND ${e.oneOf('state', input.states)}`,
    });
  }

  async releaseLease(input: { worksetId: string; owner: string; epoch?: number; at: string }): Promise<WriteOutcome> {
    const e = new Expression();
    return this.update(input.worksetId, e, {
      UpdateExpression: `SET ${e.name('updated_at')} = ${e.value(input.at)} REMOVE ${LEASE_ATTRIBUTES.map((attribute) => e.name(attribute)).join(', ')}`,
      ConditionExpression: this.leaseCondition(e, { owner: input.owner, epoch: input.epoch }),
    });
  }

  async recordProgress(input: {
    worksetId: string;
    lease: LeaseClaim;
    at: string;
    set: Readonly<Record<string, unknown>>;
    metrics?: Readonly<Record<string, unknown>>;
    states: readonly WorksetState[];
  }): Promise<WriteOutcome> {
    // Leases granted here always create `metrics`; the second form covers a record without it.
    for (const metricsExist of [true, false]) {
      const e = new Expression();
      const set = [`${e.name('updated_at')} = ${e.value(input.at)}`];
      for (const [attribute, value] of Object.entries(input.set)) set.push(`${e.name(attribute)} = ${e.value(value)}`);
      const conditions = [this.leaseCondition(e, input.lease), e.oneOf('state', input.states)];
      if (input.metrics && Object.keys(input.metrics).length > 0) {
        if (metricsExist) {
          for (const [key, value] of Object.entries(input.metrics)) set.push(`${e.path('metrics', key)} = ${e.value(value)}`);
          conditions.push(`attribute_exists(${e.name('metrics')})`);
        } else {
          set.push(`${e.name('metrics')} = ${e.value(input.metrics)}`);
          conditions.push(`attribute_not_exists(${e.name('metrics')})`);
        }
      }
      const outcome = await this.update(input.worksetId, e, { UpdateExpression: `SET ${set.join(', ')}`, ConditionExpression: conditions.join(' AND ') });
      if (outcome.ok || !metricsExist || !outcome.current || outcome.current.metrics !== undefined) return outcome;
    }
    return { ok: false, current: await this.getRecord(input.worksetId) };
  }

  async claimMove(input: { worksetId: string; version: number; claim: MoveClaim; now: string }): Promise<WriteOutcome> {
    const e = new Expression();
    const claim = e.name('move_claim');
    return this.update(input.worksetId, e, {
      UpdateExpression: `SET ${claim} = ${e.value(input.claim)}`,
      ConditionExpression:
        `${e.name('version')} = ${e.value(input.version)} AND ` +
        `(attribute_not_exists(${claim}) OR ${e.path('move_claim', 'expires_at')} <= ${e.value(input.now)})`,
    });
  }

  async releaseMove(input: { worksetId: string; token: string }): Promise<void> {
    const e = new Expression();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { workset_id: input.worksetId },
          UpdateExpression: `REMOVE ${e.name('move_claim')}`,
          ConditionExpression: `${e.path('move_claim', 'token')} = ${e.value(input.token)}`,
          ...e.params(),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async markSentinels(input: { worksetId: string; version: number; pending: LifecycleRecord['sentinel_sync_pending'] }): Promise<void> {
    const e = new Expression();
    const attribute = e.name('sentinel_sync_pending');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { workset_id: input.worksetId },
          UpdateExpression: input.pending ? `SET ${attribute} = ${e.value(input.pending)}` : `REMOVE ${attribute}`,
          // A newer state change owns the folder now (and repairs it with its own plan).
          ConditionExpression: `${e.name('version')} = ${e.value(input.version)}`,
          ...e.params(),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async removeRecord(input: { worksetId: string; version: number }): Promise<boolean> {
    const e = new Expression();
    return this.transact(() => [
      {
        Delete: {
          TableName: this.table,
          Key: { workset_id: input.worksetId },
          ConditionExpression: `${e.name('state')} = ${e.value('deleted')} AND ${e.name('version')} = ${e.value(input.version)}`,
          ...e.params(),
        },
      },
      counterUpdate(this.table, moveDelta('deleted', null), this.random),
    ]);
  }

  async queueCandidates(input: { state: 'ready' | 'retrying'; now: string; limit: number; startKey?: Record<string, unknown> }) {
    const e = new Expression();
    const now = e.value(input.now);
    const filters = [`(attribute_not_exists(${e.name('lock_owner')}) OR ${e.name('lease_expires_at')} <= ${now})`];
    if (input.state === 'retrying') filters.push(`(attribute_not_exists(${e.name('retry_after')}) OR ${e.name('retry_after')} <= ${now})`);
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: WORKSET_INDEXES.byState,
        KeyConditionExpression: `${e.name('state')} = ${e.value(input.state)}`,
        FilterExpression: filters.join(' AND '),
        // Only what ordering and the grant need: a page of whole records would be ~100x larger.
        ProjectionExpression: [e.name('workset_id'), e.name('queue_order'), e.name('state')].join(', '),
        ...e.params(),
        Limit: input.limit,
        ...(input.startKey ? { ExclusiveStartKey: input.startKey } : {}),
      }),
    );
    return { items: (result.Items ?? []) as LifecycleRecord[], ...(result.LastEvaluatedKey ? { lastKey: result.LastEvaluatedKey } : {}) };
  }

  async listWorksets(filter: { state?: WorksetState; priority?: Priority; customerId?: string; limit: number; nextToken?: string }): Promise<LifecyclePage> {
    if (filter.customerId !== undefined) return this.listByCustomer({ ...filter, customerId: filter.customerId });
    // By state, in queue order; without a state filter, state after state (WORKSET_STATES order).
    const states = filter.state ? [filter.state] : WORKSET_STATES;
    let { stateIndex, startKey } = this.decodeStateCursor(filter.nextToken, states);
    const items: LifecycleRecord[] = [];
    while (stateIndex < states.length && items.length < filter.limit) {
      const state = states[stateIndex]!;
      const e = new Expression();
      const key = [`${e.name('state')} = ${e.value(state)}`];
      // queue_order = `{priority rank}#{created_at}`: a priority is a key prefix, not a filter.
      if (filter.priority) key.push(`begins_with(${e.name('queue_order')}, ${e.value(`${PRIORITIES.indexOf(filter.priority)}#`)})`);
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: WORKSET_INDEXES.byState,
          KeyConditionExpression: key.join(' AND '),
          ...e.params(),
          Limit: filter.limit - items.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...((result.Items ?? []) as LifecycleRecord[]));
      startKey = result.LastEvaluatedKey;
      if (!startKey) stateIndex += 1;
    }
    const nextToken =
      stateIndex >= states.length ? undefined : encodeCursor(startKey ?? { state: states[stateIndex]! });
    return { items, ...(nextToken ? { nextToken } : {}) };
  }

  private decodeStateCursor(token: string | undefined, states: readonly WorksetState[]): { stateIndex: number; startKey?: Record<string, string> } {
    if (!token) return { stateIndex: 0 };
    let state: unknown;
    try {
      state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))?.state;
    } catch {
      state = undefined;
    }
    const stateIndex = states.indexOf(state as WorksetState);
    if (stateIndex < 0) throw new InvalidInputError('next_token is not a cursor this listing issued.', [{ field: 'next_token', message: 'is invalid' }]);
    try {
      return { stateIndex, startKey: decodeCursor(token, { fields: ['workset_id', 'state', 'queue_order'], partition: ['state', states[stateIndex]!] }) };
    } catch {
      // The start of the next state: a cursor carrying only the state.
      decodeCursor(token, { fields: ['state'], partition: ['state', states[stateIndex]!] });
      return { stateIndex };
    }
  }

  private async listByCustomer(filter: { state?: WorksetState; priority?: Priority; customerId: string; limit: number; nextToken?: string }): Promise<LifecyclePage> {
    let startKey: Record<string, unknown> | undefined = filter.nextToken
      ? decodeCursor(filter.nextToken, { fields: ['workset_id', 'customer_id', 'created_at'], partition: ['customer_id', filter.customerId] })
      : undefined;
    const items: LifecycleRecord[] = [];
    for (let query = 0; query < MAX_FILTERED_QUERIES && items.length < filter.limit; query += 1) {
      const e = new Expression();
      const filters = [
        ...(filter.state ? [`${e.name('state')} = ${e.value(filter.state)}`] : []),
        ...(filter.priority ? [`${e.name('priority')} = ${e.value(filter.priority)}`] : []),
      ];
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: WORKSET_INDEXES.byCustomer,
          KeyConditionExpression: `${e.name('customer_id')} = ${e.value(filter.customerId)}`,
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ...e.params(),
          ScanIndexForward: false,
          // Never evaluate more than the page still needs, so LastEvaluatedKey is an exact resume point.
          Limit: filter.limit - items.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...((result.Items ?? []) as LifecycleRecord[]));
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    const nextToken = encodeCursor(startKey);
    return { items, ...(nextToken ? { nextToken } : {}) };
  }

  async history(worksetId: string, options: { limit: number; nextToken?: string }): Promise<HistoryPage> {
    const e = new Expression();
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: WORKSET_INDEXES.history,
        KeyConditionExpression: `${e.name('history_of')} = ${e.value(worksetId)}`,
        ...e.params(),
        Limit: options.limit,
        ...(options.nextToken
          ? { ExclusiveStartKey: decodeCursor(options.nextToken, { fields: ['workset_id', 'history_of', 'entry_id'], partition: ['history_of', worksetId] }) }
          : {}),
      }),
    );
    const entries = (result.Items ?? []).map((item): AuditEntry => {
      const { from, to, reason, actor, at, error_category } = item as AuditEntry;
      return { from: from ?? null, to, reason, actor, at, ...(error_category ? { error_category } : {}) };
    });
    const nextToken = encodeCursor(result.LastEvaluatedKey);
    return { entries, ...(nextToken ? { nextToken } : {}) };
  }

  async queueStats(): Promise<QueueStats> {
    const shards: Record<string, unknown>[] = [];
    let keys: Record<string, unknown>[] = COUNTER_SHARD_IDS.map((id) => ({ workset_id: id }));
    for (let attempt = 0; keys.length > 0; attempt += 1) {
      if (attempt > 0) await sleep(Math.min(20 * 2 ** attempt, 500));
      const result = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
      shards.push(...(result.Responses?.[this.table] ?? []));
      keys = (result.UnprocessedKeys?.[this.table]?.Keys ?? []) as Record<string, unknown>[];
      if (attempt > 8 && keys.length > 0) throw new Error('queue counters could not be read (unprocessed keys)');
    }
    return sumShards(shards);
  }

  private leaseCondition(e: Expression, lease: { owner: string; epoch?: number | undefined }): string {
    const owner = `${e.name('lock_owner')} = ${e.value(lease.owner)}`;
    return lease.epoch === undefined ? owner : `${owner} AND ${e.name('lease_epoch')} = ${e.value(lease.epoch)}`;
  }

  /** One conditional UpdateItem answering the new record, or the current one when the condition failed. */
  private async update(
    worksetId: string,
    e: Expression,
    input: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression'>,
    classify = true,
  ): Promise<WriteOutcome> {
    if (worksetId.includes('#')) return { ok: false, current: undefined };
    try {
      const result = await this.db.send(
        new UpdateCommand({ TableName: this.table, Key: { workset_id: worksetId }, ...input, ...e.params(), ReturnValues: 'ALL_NEW' }),
      );
      return { ok: true, record: result.Attributes as LifecycleRecord };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { ok: false, current: classify ? await this.getRecord(worksetId) : undefined };
    }
  }

  /** Runs a transaction; false when the first item's condition failed. */
  private async transact(items: () => ReadonlyArray<TransactWriteItem | undefined>): Promise<boolean> {
    const outcome = await transactWrite(this.db, () => items().filter((item): item is TransactWriteItem => item !== undefined), {
      random: this.random,
    });
    if (outcome.ok) return true;
    if (outcome.failedConditions.has(0)) return false;
    throw new Error(`lifecycle transaction refused by conditions ${[...outcome.failedConditions].join(', ')}`);
  }
}

