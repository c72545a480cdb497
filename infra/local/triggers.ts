/**
 * Plays Lambda's event source mappings and EventBridge Scheduler for the local server: each
 * stream entry's handler gets its table's DynamoDB stream, each schedule entry's handler a tick
 * every `rate.minutes`, in this process and from the handler files the stack deploys.
 *
 * Streams are read with the DynamoDB Streams API (DynamoDB Local implements it) and delivered as
 * a mapping of the stack would deliver them (delivery-policy.ts): from the stream's tip when the
 * server starts, each shard in order, `batchSize` records at a time; a partial batch response
 * (`batchItemFailures`) checkpoints before its first failed record and retries from there; a
 * thrown error retries the batch's first half (bisection); a record still failing after
 * `retryAttempts` retries, or older than `maxRecordAgeSeconds`, is given up on.
 *
 * Not emulated: the dead-letter queues (what the stack would send to one is logged as an error
 * instead), function timeouts (the context's deadline is the function's, nothing enforces it),
 * shards read in parallel (a stream's shards take turns), and Scheduler's delivery retries (an
 * in-process call cannot fail to arrive).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  TrimmedDataAccessException,
  GetShardIteratorCommand,
  type AttributeValue as SdkAttributeValue,
  type _Record as SdkRecord,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { TableNames } from '../../lambdas/lib/stores/tables.ts';
import { SCHEDULE_DELIVERY, STREAM_DELIVERY, type ScheduledTick } from '../delivery-policy.ts';
import { isScheduleEntry, isStreamEntry, type EntryPoint, type ScheduleEntry, type StreamEntry } from '../entry-points.ts';
import { functionSize } from '../function-sizes.ts';
import { HandlerModules, lambdaContext } from './http-adapter.ts';
import { localLogger as logger } from './log.ts';

export interface TriggerOptions {
  /** The entries to run; HTTP entries among them are ignored (the HTTP server has them). */
  readonly entries: readonly EntryPoint[];
  /** Physical table names: where each stream entry's table is. */
  readonly tables: TableNames;
  readonly region: string;
  /** Directory the entries' `handler` paths are relative to. Default: the repository root. */
  readonly root?: string;
  /** Pause between reads of a stream that had nothing new, and before a retry. Default 250 ms, Lambda's pace. */
  readonly pollIntervalMs?: number;
  /** How long one minute of a schedule's rate lasts. Default 60 000; tests shorten it. */
  readonly minuteMs?: number;
}

export interface RunningTriggers {
  /**
   * Runs a schedule entry now, as one tick of its schedule would; resolves when the handler has
   * returned, rejects with its error.
   */
  tick(entryId: string): Promise<void>;
  /** Stops reading and ticking; waits for invocations in flight (at most `graceMs`, default 10 s). */
  close(graceMs?: number): Promise<void>;
}

/** The account id the local ARNs carry (DynamoDB Local's own ARNs say 000000000000 too). */
const LOCAL_ACCOUNT = '000000000000';

/**
 * Reads every stream entry's table stream from its tip (its last record when the server starts),
 * and starts each schedule entry's timer.
 * Resolves once every stream is being read, so a write after that reaches its stream entries.
 */
export async function startTriggers(options: TriggerOptions): Promise<RunningTriggers> {
  const streamEntries = options.entries.filter(isStreamEntry);
  const scheduleEntries = options.entries.filter(isScheduleEntry);
  const modules = new HandlerModules(options.root);
  const stopping = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };

  const consumers: StreamConsumer[] = [];
  const clients = streamEntries.length > 0 ? streamClients(options.region) : undefined;
  try {
    for (const entry of streamEntries) {
      const tableName = options.tables[entry.trigger.table];
      const streamArn = await latestStreamArn(clients!.dynamodb, tableName, entry);
      const consumer = new StreamConsumer(entry, streamArn, {
        streams: clients!.streams,
        modules,
        region: options.region,
        pollIntervalMs: options.pollIntervalMs ?? 250,
        signal: stopping.signal,
      });
      await consumer.startAtTip();
      consumers.push(consumer);
    }
  } catch (error) {
    clients?.destroy();
    throw error;
  }
  const loops = consumers.map((consumer) => consumer.run());

  const schedules = new Map(
    scheduleEntries.map((entry) => [entry.id, new ScheduleRunner(entry, { modules, region: options.region })] as const),
  );
  const minuteMs = options.minuteMs ?? 60_000;
  const timers = [...schedules.values()].map((runner) =>
    setInterval(() => {
      track(runner.fire(new Date())).catch(() => undefined);
    }, runner.entry.trigger.rate.minutes * minuteMs),
  );

  let closed: Promise<void> | undefined;
  return {
    tick(entryId) {
      const runner = schedules.get(entryId);
      if (!runner) return Promise.reject(new Error(`No schedule entry ${entryId} is running.`));
      return track(runner.fire(new Date()));
    },
    close(graceMs = 10_000) {
      closed ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        stopping.abort();
        const grace = sleep(graceMs, undefined, { ref: false });
        await Promise.race([Promise.allSettled([...loops, ...inFlight]), grace]);
        clients?.destroy();
      })();
      return closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Streams

function streamClients(region: string): { dynamodb: DynamoDBClient; streams: DynamoDBStreamsClient; destroy(): void } {
  // Endpoints and credentials come from the environment, as the handlers' clients get them. In
  // AWS the Streams API has an endpoint of its own (the SDK's default, or
  // AWS_ENDPOINT_URL_DYNAMODB_STREAMS); DynamoDB Local serves it on the DynamoDB endpoint, so
  // with only AWS_ENDPOINT_URL_DYNAMODB set, that one it is.
  const dynamodbEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB?.trim();
  const streamsEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS?.trim() ? undefined : dynamodbEndpoint;
  const dynamodb = new DynamoDBClient({ region });
  const streams = new DynamoDBStreamsClient({ region, ...(streamsEndpoint ? { endpoint: streamsEndpoint } : {}) });
  return {
    dynamodb,
    streams,
    destroy() {
      dynamodb.destroy();
      streams.destroy();
    },
  };
}

async function latestStreamArn(client: DynamoDBClient, tableName: string, entry: StreamEntry): Promise<string> {
  const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName })).catch((error: unknown) => {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    throw new Error(
      `${entry.id} reads the stream of the ${entry.trigger.table} table (${tableName}), which does not exist. ` +
        'Start the local server with --create-table (its embedded emulators always create the tables).',
    );
  });
  const spec = table?.StreamSpecification;
  if (!table?.LatestStreamArn || !spec?.StreamEnabled) {
    throw new Error(
      `${entry.id} reads the stream of the ${entry.trigger.table} table (${tableName}), which has none. ` +
        "ensureTables(…, { streams }) turns it on (the local server does so with its emulators and with --create-table).",
    );
  }
  if (spec.StreamViewType !== 'NEW_AND_OLD_IMAGES') {
    throw new Error(`${entry.id}: the stream of ${tableName} is ${spec.StreamViewType}; the stack gives stream entries NEW_AND_OLD_IMAGES.`);
  }
  return table.LatestStreamArn;
}

/** Where to read a shard from next, should its iterator expire (15 minutes unused). */
type Position = { readonly type: Extract<ShardIteratorType, 'LATEST' | 'TRIM_HORIZON'> } | { readonly type: 'AFTER_SEQUENCE_NUMBER'; readonly after: string };

interface ShardState {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  position: Position;
  /** Undefined before the first read of a shard found later, and once a closed shard is read to its end. */
  iterator: string | undefined;
  opened: boolean;
  /** Read, not yet processed, in stream order. */
  readonly pending: SdkRecord[];
  /** The next batch's size: the entry's, or less while bisecting or retrying a partial batch. */
  window: number;
  /** The record at the head of `pending` and how many invocations with it first failed. */
  failing: { readonly sequenceNumber: string; readonly count: number } | undefined;
}

type BatchOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'partial'; readonly failedAt: number }
  | { readonly kind: 'error'; readonly error: Error };

interface ConsumerDeps {
  readonly streams: DynamoDBStreamsClient;
  readonly modules: HandlerModules;
  readonly region: string;
  readonly pollIntervalMs: number;
  readonly signal: AbortSignal;
}

/** One stream entry on its table's stream: what one event source mapping does. */
class StreamConsumer {
  readonly #shards = new Map<string, ShardState>();
  readonly #finished = new Set<string>();
  readonly #batchSize: number;
  #discoveredAt = 0;

  constructor(
    readonly entry: StreamEntry,
    readonly streamArn: string,
    private readonly deps: ConsumerDeps,
  ) {
    this.#batchSize = entry.trigger.batchSize ?? STREAM_DELIVERY.defaultBatchSize;
  }

  /** STREAM_DELIVERY.startingPosition: the open shards from their tip; closed ones hold only the past. */
  async startAtTip(): Promise<void> {
    for (const shard of await this.#describeShards()) {
      if (shard.closed) {
        this.#finished.add(shard.shardId);
        continue;
      }
      const state = this.#track(shard, STREAM_DELIVERY.startingPosition === 'LATEST' ? await this.#tip(shard.shardId) : { type: STREAM_DELIVERY.startingPosition });
      state.iterator = await this.#iterator(state);
      state.opened = true;
    }
    this.#discoveredAt = Date.now();
  }

  /**
   * The tip of a shard as a position anchored at a record: after its last record, or its start
   * when it has none. Not a LATEST iterator: DynamoDB Local numbers the records of all its tables
   * in one sequence, and an iterator anchored at a number another table's write then took fails
   * with TrimmedDataAccessException; one anchored at a record does not. Reads the records the
   * shard holds (a local stream's, a day at most).
   */
  async #tip(shardId: string): Promise<Position> {
    let last: string | undefined;
    let iterator = (await this.deps.streams.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await this.deps.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const records = page.Records ?? [];
      if (records.length === 0) break;
      last = records.at(-1)?.dynamodb?.SequenceNumber ?? last;
      iterator = page.NextShardIterator;
    }
    return last ? { type: 'AFTER_SEQUENCE_NUMBER', after: last } : { type: 'TRIM_HORIZON' };
  }

  async run(): Promise<void> {
    while (!this.deps.signal.aborted) {
      try {
        await this.#pollOnce();
      } catch (error) {
        if (this.deps.signal.aborted) break;
        logger.error('stream poll failed', { entry: this.entry.id, table: this.entry.trigger.table, error: error as Error });
      }
      await sleep(this.deps.pollIntervalMs, undefined, { signal: this.deps.signal }).catch(() => undefined);
    }
  }

  async #pollOnce(): Promise<void> {
    // Shards close and children open as the stream rolls over; look for new ones now and then.
    if (Date.now() - this.#discoveredAt > 10_000 || this.#shards.size === 0) await this.#discover();
    for (const shard of [...this.#shards.values()]) {
      if (this.deps.signal.aborted) return;
      // A child shard's records follow its parent's: it waits until the parent is read out.
      if (shard.parentShardId && this.#shards.has(shard.parentShardId)) continue;
      if (!shard.opened) {
        shard.iterator = await this.#iterator(shard);
        shard.opened = true;
      }
      await this.#read(shard);
      await this.#deliver(shard);
      if (shard.iterator === undefined && shard.pending.length === 0) {
        this.#shards.delete(shard.shardId);
        this.#finished.add(shard.shardId);
        this.#discoveredAt = 0;
      }
    }
  }

  /** Shards found after start-up are read from their beginning: all their records are new. */
  async #discover(): Promise<void> {
    for (const shard of await this.#describeShards()) {
      if (!this.#shards.has(shard.shardId) && !this.#finished.has(shard.shardId)) this.#track(shard, { type: 'TRIM_HORIZON' });
    }
    this.#discoveredAt = Date.now();
  }

  #track(shard: { shardId: string; parentShardId: string | undefined }, position: Position): ShardState {
    const state: ShardState = {
      ...shard,
      position,
      iterator: undefined,
      opened: false,
      pending: [],
      window: this.#batchSize,
      failing: undefined,
    };
    this.#shards.set(shard.shardId, state);
    return state;
  }

  async #describeShards(): Promise<Array<{ shardId: string; parentShardId: string | undefined; closed: boolean }>> {
    const shards: Array<{ shardId: string; parentShardId: string | undefined; closed: boolean }> = [];
    let start: string | undefined;
    do {
      const { StreamDescription: description } = await this.deps.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }),
      );
      for (const shard of description?.Shards ?? []) {
        if (!shard.ShardId) continue;
        shards.push({ shardId: shard.ShardId, parentShardId: shard.ParentShardId, closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined });
      }
      start = description?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  async #iterator(shard: ShardState): Promise<string | undefined> {
    const { position } = shard;
    const { ShardIterator: iterator } = await this.deps.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shard.shardId,
        ShardIteratorType: position.type,
        ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: position.after } : {}),
      }),
    );
    return iterator;
  }

  /** Tops `pending` up to one batch; a shard with an unfinished batch is not read further. */
  async #read(shard: ShardState): Promise<void> {
    if (shard.iterator === undefined || shard.pending.length >= this.#batchSize) return;
    let page;
    try {
      page = await this.deps.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: this.#batchSize - shard.pending.length }));
    } catch (error) {
      // Expired (15 minutes unused), or anchored at a number DynamoDB Local gave another table's
      // record (see #tip): a fresh iterator from the last record read.
      if (!(error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException)) throw error;
      shard.iterator = await this.#iterator(shard);
      return;
    }
    const records = page.Records ?? [];
    shard.pending.push(...records);
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) shard.position = { type: 'AFTER_SEQUENCE_NUMBER', after: last };
    // No next iterator: the shard is closed and this was the last of it.
    shard.iterator = page.NextShardIterator;
  }

  /** Invokes the handler batch after batch until the shard's records are done or one fails. */
  async #deliver(shard: ShardState): Promise<void> {
    while (shard.pending.length > 0 && !this.deps.signal.aborted) {
      this.#dropTooOld(shard);
      if (shard.pending.length === 0) return;
      const batch = shard.pending.slice(0, shard.window);
      const outcome = await this.#invoke(shard, batch);
      if (outcome.kind === 'ok') {
        shard.pending.splice(0, batch.length);
        shard.failing = undefined;
        shard.window = this.#batchSize;
        continue;
      }

      // The records before the first failed one are done (the checkpoint); the rest is retried.
      const failedAt = outcome.kind === 'partial' ? outcome.failedAt : 0;
      shard.pending.splice(0, failedAt);
      const head = shard.pending[0]!.dynamodb!.SequenceNumber!;
      const count = shard.failing?.sequenceNumber === head ? shard.failing.count + 1 : 1;
      const remaining = batch.length - failedAt;
      if (count > STREAM_DELIVERY.retryAttempts) {
        this.#giveUp(shard, shard.pending.splice(0, remaining), 'RetryAttemptsExhausted');
        shard.failing = undefined;
        shard.window = this.#batchSize;
        continue;
      }
      shard.failing = { sequenceNumber: head, count };
      // A partial batch is retried from its failure point on; a failed one is halved.
      shard.window = outcome.kind === 'partial' ? remaining : Math.max(1, Math.ceil(remaining / 2));
      return;
    }
  }

  #dropTooOld(shard: ShardState): void {
    const oldest = Date.now() - STREAM_DELIVERY.maxRecordAgeSeconds * 1000;
    let stale = 0;
    while (stale < shard.pending.length && (shard.pending[stale]!.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Infinity) < oldest) stale++;
    if (stale > 0) {
      this.#giveUp(shard, shard.pending.splice(0, stale), 'RecordAgeExceeded');
      shard.failing = undefined;
    }
  }

  /** What the stack's mapping would send to the dead-letter queue: the position of the records. */
  #giveUp(shard: ShardState, records: readonly SdkRecord[], condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded'): void {
    logger.error('stream records given up', {
      entry: this.entry.id,
      condition,
      streamArn: this.streamArn,
      shardId: shard.shardId,
      batchSize: records.length,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber,
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber,
    });
  }

  async #invoke(shard: ShardState, batch: readonly SdkRecord[]): Promise<BatchOutcome> {
    const started = performance.now();
    const event: DynamoDBStreamEvent = { Records: batch.map((record) => lambdaRecord(record, this.streamArn)) };
    const context = lambdaContext(this.entry, this.deps.region, functionSize(this.entry).timeoutSeconds * 1000);
    const sequenceNumbers = batch.map((record) => record.dynamodb?.SequenceNumber ?? '');
    let outcome: BatchOutcome;
    try {
      const handler = await this.deps.modules.load<DynamoDBStreamEvent>(this.entry.handler);
      outcome = batchOutcome(await handler(event, context), sequenceNumbers);
    } catch (error) {
      outcome = { kind: 'error', error: error as Error };
    }
    const fields = {
      entry: this.entry.id,
      table: this.entry.trigger.table,
      shardId: shard.shardId,
      records: batch.length,
      firstSequenceNumber: sequenceNumbers[0],
      lastSequenceNumber: sequenceNumbers.at(-1),
      outcome: outcome.kind,
      ...(outcome.kind === 'partial' ? { failedSequenceNumber: sequenceNumbers[outcome.failedAt] } : {}),
      ...(shard.failing ? { retry: shard.failing.count } : {}),
      durationMs: Math.round(performance.now() - started),
      requestId: context.awsRequestId,
    };
    if (outcome.kind === 'error') logger.error('stream batch failed', { ...fields, handler: this.entry.handler, error: outcome.error });
    else logger.info('stream batch', fields);
    return outcome;
  }
}

/**
 * Lambda's reading of a stream handler's answer (ReportBatchItemFailures): nothing, or an empty
 * `batchItemFailures`, is success; otherwise the earliest failed record is the checkpoint, and an
 * identifier that names no record of the batch fails the whole batch.
 */
export function batchOutcome(result: unknown, sequenceNumbers: readonly string[]): BatchOutcome {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return { kind: 'ok' };
  const positions = Array.isArray(failures)
    ? failures.map((failure) => sequenceNumbers.indexOf((failure as { itemIdentifier?: unknown } | null)?.itemIdentifier as string))
    : [-1];
  if (positions.some((position) => position < 0)) {
    return { kind: 'error', error: new Error(`batchItemFailures names no record of the batch: ${JSON.stringify(failures)}`) };
  }
  return { kind: 'partial', failedAt: Math.min(...positions) };
}

/** A Streams API record as Lambda hands it over: epoch seconds, base64 binaries, the stream's ARN. */
export function lambdaRecord(record: SdkRecord, streamArn: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const image = (values: Record<string, SdkAttributeValue> | undefined) =>
    values === undefined ? undefined : Object.fromEntries(Object.entries(values).map(([name, value]) => [name, lambdaValue(value)]));
  const keys = image(change.Keys);
  const newImage = image(change.NewImage);
  const oldImage = image(change.OldImage);
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    dynamodb: {
      ...(change.ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) } : {}),
      ...(keys ? { Keys: keys } : {}),
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    eventSourceARN: streamArn,
    // TTL deletions carry who deleted: the DynamoDB service.
    ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
  };
}

function lambdaValue(value: SdkAttributeValue): AttributeValue {
  const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(lambdaValue) };
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([name, inner]) => [name, lambdaValue(inner)])) };
  throw new Error(`Unknown DynamoDB attribute value type: ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Schedules

class ScheduleRunner {
  constructor(
    readonly entry: ScheduleEntry,
    private readonly deps: { readonly modules: HandlerModules; readonly region: string },
  ) {}

  /**
   * One tick: the event the stack's schedule sends, then Lambda's retries of a failed
   * invocation (SCHEDULE_DELIVERY.functionRetryAttempts) before it is given up on.
   */
  async fire(due: Date): Promise<void> {
    const tick: ScheduledTick = {
      scheduleArn: `arn:aws:scheduler:${this.deps.region}:${LOCAL_ACCOUNT}:schedule/default/${this.entry.id}Schedule`,
      // Scheduler's format: seconds, no fraction.
      scheduledTime: due.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      executionId: randomUUID(),
      attemptNumber: '1',
    };
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      const context = lambdaContext(this.entry, this.deps.region, functionSize(this.entry).timeoutSeconds * 1000);
      const fields = { entry: this.entry.id, scheduledTime: tick.scheduledTime, executionId: tick.executionId, ...(attempt > 0 ? { retry: attempt } : {}), requestId: context.awsRequestId };
      try {
        const handler = await this.deps.modules.load<ScheduledTick>(this.entry.handler);
        await handler(tick, context);
        logger.info('schedule tick', { ...fields, outcome: 'ok', durationMs: Math.round(performance.now() - started) });
        return;
      } catch (error) {
        logger.error('schedule tick failed', { ...fields, handler: this.entry.handler, outcome: 'error', durationMs: Math.round(performance.now() - started), error: error as Error });
        if (attempt >= SCHEDULE_DELIVERY.functionRetryAttempts) throw error;
      }
    }
  }
}
