/**
 * The flows wired to the in-memory stores with a clock the test moves: no Java, no emulators, no
 * network. Each call builds a fresh world (its own tables and bucket), so tests share nothing.
 *
 *   const world = inMemory();
 *   const workset = world.seed({ state: 'complete' });
 *   await archiveWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: workset.workset_id, actor: 'lab-1' });
 */
import { DEFAULT_ARCHIVE_PREFIX, DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { BUILT_IN_RUNS, type RunCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';
import type { WorksetRecord } from '../../lambdas/lib/domain/workset.ts';
import type { ControlBucketDeps, EventDeps, ReconcilerDeps, RegistrationDeps, SettleDeps, UploadDeps } from '../../lambdas/lib/flows/deps.ts';
import { DEFAULT_UPLOAD_MAX_BYTES, stagedSheetKey, UPLOAD_EXPIRY_SECONDS, UPLOAD_PREFIX } from '../../lambdas/lib/domain/sheet-upload.ts';
import { MemoryStagedSheets, MemoryUploadForms } from '../../lambdas/lib/stores/memory/memory-sheet-uploads.ts';
import type { OutboxEntry } from '../../lambdas/lib/ports/state-change-delivery.ts';
import { MemoryEventBus, MemoryMailer, MemoryNotificationLedger } from '../../lambdas/lib/stores/memory/memory-delivery.ts';
import type { RegistrationRequest } from '../../lambdas/lib/flows/registration/registration-request.ts';
import { toRegistrationRequest } from '../../lambdas/lib/flows/registration/registration-request.ts';
import { parseOrThrow } from '../../lambdas/lib/schemas/parse.ts';
import { CreateWorksetRequest } from '../../lambdas/lib/schemas/registration-requests.ts';
import type { FaultHook } from '../../lambdas/lib/stores/memory/faults.ts';
import { MemoryControlBucket } from '../../lambdas/lib/stores/memory/memory-control-bucket.ts';
import { MemoryCustomerStore } from '../../lambdas/lib/stores/memory/memory-customers.ts';
import { MemoryWorksetStore } from '../../lambdas/lib/stores/memory/memory-worksets.ts';
import { seededFiles, seededRecord, type SeedOptions } from './workset-records.ts';

export const CONTROL_BUCKET = 'daylily-control-test';
export const SENDER = 'daylily@lab.test';
export const START = '2026-03-01T12:00:00.000Z';
export const CUSTOMERS = ['lab-1', 'lab-2'] as const;
/**
 * The settings the world's customers get: room for every workset a flow test makes, and the data
 * locations its requests name. The quota and data-location tests set their own.
 */
export const ROOMY_CUSTOMER = { max_active_worksets: 1_000, data_locations: ['s3://lab-data/', 's3://d/'] } as const;

export type { SeedOptions } from './workset-records.ts';

/** A create request as the route hands it to the flow (schema defaults applied, names resolved in the built-in catalogue). */
export function registrationRequest(body: Record<string, unknown> = {}, catalogue: RunCatalogue = BUILT_IN_RUNS): RegistrationRequest {
  return toRegistrationRequest(parseOrThrow(CreateWorksetRequest, { workset_name: 'batch', pipeline_type: 'snv', reference_genome: 'GRCh38', ...body }, 'request body'), catalogue);
}

/** A fault hook failing the calls `matches` picks, `times` times (default: every time). */
export function failing(matches: (operation: string, input: any) => boolean, options: { times?: number; error?: () => Error } = {}): FaultHook {
  let left = options.times ?? Infinity;
  return (operation, input) => {
    if (left <= 0 || !matches(operation, input)) return undefined;
    left -= 1;
    return options.error?.() ?? Object.assign(new Error(`injected fault in ${operation}`), { name: 'InjectedFault' });
  };
}

/**
 * Makes the next `times` calls of `target[method]` that `matches` picks take effect and then
 * throw, as calls whose reply was lost (the fault hooks fail a call before it does anything).
 */
export function lostReplies<T extends object>(
  target: T,
  method: keyof T & string,
  options: { matches?: (...args: any[]) => boolean; times?: number; error?: () => Error } = {},
): void {
  const original = (target[method] as (...args: any[]) => Promise<unknown>).bind(target);
  let left = options.times ?? 1;
  Object.assign(target, {
    [method]: async (...args: any[]) => {
      const result = await original(...args);
      if (left > 0 && (options.matches?.(...args) ?? true)) {
        left -= 1;
        throw options.error?.() ?? Object.assign(new Error(`reply of ${method} lost`), { name: 'InjectedFault' });
      }
      return result;
    },
  });
}

let ids = 0;

export function inMemory() {
  let now = Date.parse(START);
  const clock = () => new Date(now);
  const customers = new MemoryCustomerStore();
  for (const customerId of CUSTOMERS) customers.addCustomer(customerId, ROOMY_CUSTOMER);
  const worksets = new MemoryWorksetStore({ customerStore: customers });
  const bucket = new MemoryControlBucket({ buckets: [CONTROL_BUCKET] });
  let draws = 0;
  const hex: string[] = [];

  const lifecycle: ControlBucketDeps = {
    worksets,
    customers,
    controlBucket: bucket,
    archivePrefix: { ok: true, prefix: DEFAULT_ARCHIVE_PREFIX },
    defaultLeaseSeconds: 3600,
    now: clock,
    // The sentinel retries' pauses are real timers: none in tests.
    sentinelBackoffMs: 0,
  };
  const stagedSheets = new MemoryStagedSheets(bucket);
  const uploadSetting = { ok: true, bucket: CONTROL_BUCKET, prefix: UPLOAD_PREFIX, maxBytes: DEFAULT_UPLOAD_MAX_BYTES, expiresSeconds: UPLOAD_EXPIRY_SECONDS } as const;
  let uploadIds = 0;
  const forms = new MemoryUploadForms();
  const uploads: UploadDeps = { forms, uploads: uploadSetting, now: clock, uploadId: () => `upload-${(uploadIds += 1)}` };
  const registration: RegistrationDeps = {
    stagedSheets,
    uploads: uploadSetting,
    worksets,
    customers,
    controlBucket: bucket,
    controlLocation: { ok: true, bucket: CONTROL_BUCKET, prefix: DEFAULT_CONTROL_PREFIX, source: 'DAYLILY_CONTROL_BUCKET' },
    now: clock,
    randomHex: () => hex.shift() ?? (draws += 1).toString(16).padStart(8, '0'),
    // The read-backs' pauses are real timers too.
    readBackoffMs: 0,
  };

  const settle: SettleDeps = { worksets, controlBucket: bucket, now: clock, sentinelBackoffMs: 0 };

  const bus = new MemoryEventBus();
  const mailer = new MemoryMailer();
  const ledger = new MemoryNotificationLedger();
  let tokens = 0;
  const events: EventDeps = { worksets, bus, notifications: { mailer, ledger, sender: SENDER }, now: clock, token: () => `token-${(tokens += 1)}` };

  /** Every metric document the reconciler emitted, pass by pass. */
  const metrics: Array<Record<string, unknown>[]> = [];
  const reconciler: ReconcilerDeps = {
    ...lifecycle,
    worksets,
    controlLocation: registration.controlLocation,
    metrics: (documents) => void metrics.push([...documents]),
    // The recount's pause for the state index is a real timer: none in memory, whose index never lags.
    indexSettleMs: 0,
  };

  let streamed = 0;
  /** The changes written since the last call, as the stream consumer gets them from the table's stream. */
  const outboxEntries = (): OutboxEntry[] => {
    const entries = worksets.outbox().slice(streamed).map((detail, index) => ({ id: String(streamed + index + 1).padStart(21, '0'), detail }));
    streamed += entries.length;
    return entries;
  };

  /** A workset as the lifecycle finds it (version 1), with its folder and state sentinel. */
  function seed(options: SeedOptions = {}): WorksetRecord {
    const record = seededRecord(options, {
      bucket: CONTROL_BUCKET,
      controlPrefix: DEFAULT_CONTROL_PREFIX,
      worksetId: `ws-${(ids += 1).toString(16).padStart(8, '0')}`,
      now: new Date(now).toISOString(),
    });
    worksets.seedWorkset(record);
    for (const name of seededFiles(options, record)) bucket.seedObject(CONTROL_BUCKET, { key: `${record.control_prefix}${name}`, body: name, contentType: 'text/plain' });
    return record;
  }

  /** The names in a folder, relative to it. */
  const files = (folder: string): string[] => bucket.keys(CONTROL_BUCKET, folder).map((key) => key.slice(folder.length));
  const sentinels = (folder: string): string[] => files(folder).filter((name) => name.startsWith('daylily.'));
  const body = (key: string): string | undefined => bucket.object(CONTROL_BUCKET, key)?.body;

  return {
    worksets,
    customers,
    bucket,
    lifecycle,
    registration,
    uploads,
    forms,
    stagedSheets,
    /** Puts a sheet where a client's upload `uploadId` of `customerId` would have put it. */
    stageSheet: (customerId: string, uploadId: string, text: string) => bucket.seedObject(CONTROL_BUCKET, { key: stagedSheetKey(UPLOAD_PREFIX, customerId, uploadId), body: text, contentType: 'text/tab-separated-values' }),
    stagedKeys: () => bucket.keys(CONTROL_BUCKET, UPLOAD_PREFIX),
    settle,
    events,
    reconciler,
    bus,
    mailer,
    ledger,
    metrics,
    outboxEntries,
    seed,
    files,
    sentinels,
    body,
    /** The next ids' random suffixes, in order (then 00000001, 00000002, …). */
    drawHex: (...values: string[]) => void hex.push(...values),
    now: clock,
    advance: (seconds: number) => void (now += seconds * 1000),
    /** The current record, as stored. */
    record: (worksetId: string) => worksets.getWorkset(worksetId),
  };
}

export type InMemoryWorld = ReturnType<typeof inMemory>;
