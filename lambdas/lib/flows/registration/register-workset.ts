/**
 * Registration, the shared integration flow. The protocol:
 *  1. one DynamoDB transaction: the customer exists, the idempotency key is claimed, and a
 *     `registering` record is created (never overwriting anything);
 *  2. the control folder files, then `daylily.ready` last;
 *  3. one transaction flips the record to `ready` and stores the response for replays.
 * So no workset is `ready` in DynamoDB before its files exist, and a failure at any step leaves
 * nothing a worker (DynamoDB `ready`) or the monitor (`daylily.ready`) would pick up. A retry with
 * the same Idempotency-Key resumes a failed registration from step 2. A request whose flip did not
 * take effect makes its `daylily.ready` match the record as it is then (see `settleReady`): kept
 * when a same-key request completed it, withdrawn otherwise; a registration its customer deleted
 * meanwhile answers 409, and one whose record is gone removes every file it wrote.
 *
 * A withdrawal may land on the `daylily.ready` a same-key request has just written. So each
 * withdrawal from a `registering` record is followed by a fence (`ready_withdrawals` + 1, while
 * still `registering`), and each flip is conditioned on the count its request read before writing
 * its own `daylily.ready`: a request whose file a withdrawal may have removed cannot mark the
 * record `ready` (it withdraws too and answers 503; a retry completes), and one that read the count
 * after the fence wrote its file after the withdrawal.
 */
import { ConflictError, InvalidInputError, NotConfiguredError, NotFoundError, UpstreamError } from '../../errors.ts';
import type { ControlBucketSetting } from '../../config/settings.ts';
import { registrationObjects, type ControlObject } from '../../domain/control-folder.ts';
import { defaultExportUri } from '../../domain/manifests.ts';
import type { Sample } from '../../domain/stage-samples.ts';
import { toWorksetDetail } from '../../domain/workset-detail.ts';
import { newWorksetId } from '../../domain/workset-id.ts';
import {
  controlFolderPrefix,
  queueOrder,
  timestamp,
  type StateHistoryEntry,
  type WorksetRecord,
} from '../../domain/workset.ts';
import { logger } from '../../logging.ts';
import {
  WorksetIdCollision,
  type ControlBucketStore,
  type IdempotencyRecord,
  type StoredResponse,
  type WorksetStore,
} from '../../stores/ports.ts';
import { requestFingerprint, type RegistrationRequest } from './request.ts';

/** How long an Idempotency-Key holds its first answer. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
const ID_ATTEMPTS = 3;

export interface RegistrationDeps {
  readonly worksets: WorksetStore;
  readonly controlBucket: ControlBucketStore;
  readonly control: ControlBucketSetting;
  readonly now: () => Date;
  /** 8 lowercase hex characters. */
  readonly randomHex: () => string;
}

export interface RegisterWorksetCommand {
  readonly customerId: string;
  readonly request: RegistrationRequest;
  readonly idempotencyKey?: string;
  /** Who asked (for the audit history). */
  readonly actor: string;
}

export interface RegistrationOutcome extends StoredResponse {
  /** True when this answer replays an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

/**
 * The monitor exports results with its own credentials: a caller-chosen `export_uri` inside the
 * control bucket could overwrite another workset's folder. Only the default (this workset's own
 * `results/`) may live there.
 */
function rejectExportIntoControlBucket(exportUri: string | null | undefined, controlBucket: string): void {
  if (exportUri && exportUri.replace(/^s3:\/\//, '').split('/')[0] === controlBucket) {
    throw new InvalidInputError('export_uri may not point into the control bucket; omit it to export into the workset\'s own results/ folder.', [
      { field: 'export_uri', message: 'must not be in the control bucket' },
    ]);
  }
}

export function worksetLocation(customerId: string, worksetId: string): string {
  return `/api/customers/${encodeURIComponent(customerId)}/worksets/${encodeURIComponent(worksetId)}`;
}

function newRecord(command: RegisterWorksetCommand, deps: RegistrationDeps, bucket: string, prefix: string): WorksetRecord {
  const { request } = command;
  const createdAt = timestamp(deps.now());
  const worksetId = newWorksetId(request.workset_name, deps.randomHex());
  const folder = controlFolderPrefix(prefix, worksetId);
  return {
    workset_id: worksetId,
    customer_id: command.customerId,
    workset_name: request.workset_name,
    state: 'registering',
    priority: request.priority,
    queue_order: queueOrder(request.priority, createdAt),
    pipeline_type: request.pipeline_type,
    reference_genome: request.reference_genome,
    sample_count: request.samples.length,
    control_bucket: bucket,
    control_prefix: folder,
    export_uri: request.export_uri ?? defaultExportUri(bucket, folder),
    ...(request.s3_bucket ? { data_bucket: request.s3_bucket } : {}),
    ...(request.s3_prefix ? { data_prefix: request.s3_prefix } : {}),
    ...(request.notification_email ? { notification_email: request.notification_email } : {}),
    enable_qc: request.enable_qc,
    archive_results: request.archive_results,
    created_at: createdAt,
    updated_at: createdAt,
    state_history: [{ from: null, to: 'registering', reason: 'Registration started', actor: command.actor, at: createdAt }],
  };
}

/** Step 1. Returns the record to complete, or an earlier answer to replay. */
async function claim(
  command: RegisterWorksetCommand,
  deps: RegistrationDeps,
  bucket: string,
  prefix: string,
): Promise<{ record: WorksetRecord; idempotencyKey?: string; resumed: boolean } | { replay: StoredResponse }> {
  const fingerprint = requestFingerprint(command.customerId, command.request);
  const key = command.idempotencyKey === undefined ? undefined : `${command.customerId}#${command.idempotencyKey}`;
  for (let attempt = 1; ; attempt += 1) {
    const record = newRecord(command, deps, bucket, prefix);
    const idempotency: IdempotencyRecord | undefined = key
      ? {
          idempotency_key: key,
          request_hash: fingerprint,
          workset_id: record.workset_id,
          expires_at: Math.floor(deps.now().getTime() / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
        }
      : undefined;
    let result;
    try {
      result = await deps.worksets.beginRegistration(record, idempotency);
    } catch (error) {
      if (error instanceof WorksetIdCollision && attempt < ID_ATTEMPTS) continue;
      throw new UpstreamError('Registration failed: the workset record could not be written. Nothing was registered; retry the request.', { cause: error });
    }
    if (result.kind === 'created') return { record, resumed: false, ...(key ? { idempotencyKey: key } : {}) };
    if (result.kind === 'unknown-customer') throw new NotFoundError(`Customer ${command.customerId} not found.`);
    const { existing } = result;
    if (existing.request_hash !== fingerprint) {
      throw new ConflictError(
        'This Idempotency-Key was already used with a different request body. Use a new key for a new workset.',
        { workset_id: existing.workset_id },
      );
    }
    if (existing.response) return { replay: existing.response };
    const earlier = await deps.worksets.getWorkset(existing.workset_id);
    if (earlier?.state === 'registering') return { record: earlier, idempotencyKey: key, resumed: true };
    // Completed between our two reads (its answer was stored in the same transaction), or deleted
    // by its customer before any request completed it.
    const completed = await deps.worksets.getIdempotencyRecord(existing.idempotency_key);
    if (completed?.response && completed.workset_id === existing.workset_id) return { replay: completed.response };
    if (!earlier || earlier.state === 'deleted') throw deletedWhileRegistering(existing.workset_id, earlier, true);
    return { replay: { status: 201, body: JSON.stringify(toWorksetDetail(earlier)), location: worksetLocation(earlier.customer_id, earlier.workset_id) } };
  }
}

/** Step 2. Every file, then `daylily.ready`. */
async function writeControlFolder(deps: RegistrationDeps, record: WorksetRecord, samples: readonly Sample[]): Promise<string[]> {
  const { files, ready } = registrationObjects(record, samples);
  const written: string[] = [];
  const put = async (object: ControlObject) => {
    await deps.controlBucket.put(record.control_bucket, object);
    written.push(object.key);
  };
  const results = await Promise.allSettled(files.map(put));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw new FolderWriteFailed(written, failure.reason);
  await put(ready).catch((error: unknown) => {
    throw new FolderWriteFailed(written, error);
  });
  return written;
}

class FolderWriteFailed extends Error {
  constructor(
    readonly written: readonly string[],
    cause: unknown,
  ) {
    super('control folder write failed', { cause });
  }
}

/**
 * Best effort: a failed registration without an idempotency key can never be resumed, so remove
 * it. The record goes first, conditionally: its files are deleted only once it is certain that no
 * record (ready or not) points at them.
 */
async function discard(deps: RegistrationDeps, record: WorksetRecord, written: readonly string[]): Promise<void> {
  try {
    if (!(await deps.worksets.abandonRegistration(record.workset_id))) return;
    await deps.controlBucket.delete(record.control_bucket, written);
  } catch (error) {
    logger.warn('could not clean up a failed registration', { workset_id: record.workset_id, error: error as Error });
  }
}

/** Passes of `settleReady` before it gives up on a record that keeps changing. */
const SETTLE_PASSES = 3;

/** Whether the monitor should find this registration's `daylily.ready`: only while its record is `ready` there. */
function advertises(record: WorksetRecord, current: WorksetRecord | undefined): boolean {
  return current?.state === 'ready' && current.control_prefix === record.control_prefix;
}

/**
 * After a flip this request did not make: makes the `daylily.ready` it wrote match the record as it
 * is now. Present only while the record is `ready` (a same-key request completed it); withdrawn
 * while it is `registering` or `deleted`; and when the record is gone (hard-deleted meanwhile,
 * whose delete may have listed the folder before these files landed), every file this request
 * wrote goes too, `daylily.ready` first.
 *
 * S3 does not order this request's delete against a concurrent same-key request's put, so a
 * withdrawal from a `registering` record is then fenced (`fenceReadyWithdrawal`): once that count
 * is taken, no request whose `daylily.ready` the delete may have removed can flip the record, and
 * the withdrawal stands. Otherwise (the fence found the record no longer `registering`, or the
 * step was a restore or a removal) it re-reads the record, like the lifecycle's sentinel syncs
 * (flows/lifecycle/sentinels.ts), and applies again when the answer changed. Best effort: a failed
 * S3 call, fence or read is logged. Returns the record as last read.
 */
async function settleReady(
  deps: RegistrationDeps,
  record: WorksetRecord,
  samples: readonly Sample[],
  current: WorksetRecord | undefined,
): Promise<WorksetRecord | undefined> {
  const { files, ready } = registrationObjects(record, samples);
  let seen = current;
  for (let pass = 1; pass <= SETTLE_PASSES; pass += 1) {
    const wanted = advertises(record, seen);
    try {
      if (wanted) await deps.controlBucket.put(record.control_bucket, ready);
      else {
        await deps.controlBucket.delete(record.control_bucket, [ready.key]);
        if (!seen) await deps.controlBucket.delete(record.control_bucket, files.map((file) => file.key));
      }
    } catch (error) {
      logger.error(
        wanted
          ? 'could not restore daylily.ready of a workset another request registered; its folder needs repair'
          : 'could not withdraw the control files of a registration that did not complete; its folder needs repair',
        { workset_id: record.workset_id, state: seen?.state ?? 'removed', error: error as Error },
      );
      return seen;
    }
    if (!wanted && seen?.state === 'registering') {
      try {
        const fenced = await deps.worksets.fenceReadyWithdrawal(record.workset_id);
        // Still `registering` after the delete: every flip decided before now is refused.
        if (fenced) return fenced;
      } catch (error) {
        logger.error(
          'could not fence the withdrawal of daylily.ready; a same-key request may mark the workset ready without it, and its folder may need repair',
          { workset_id: record.workset_id, error: error as Error },
        );
        return seen;
      }
      // No longer `registering` (completed, deleted or removed meanwhile): look again.
    }
    let next: WorksetRecord | undefined;
    try {
      next = await deps.worksets.getWorkset(record.workset_id);
    } catch (error) {
      // Applied; only the fence could not be checked.
      logger.error('could not re-read a registration after settling its daylily.ready', { workset_id: record.workset_id, error: error as Error });
      return seen;
    }
    // Settled when the same step applies to the record as it is now (a record that disappeared
    // after this pass still needs its files removed; one `registering` now was not fenced yet).
    if (advertises(record, next) === wanted && (next !== undefined || seen === undefined) && next?.state !== 'registering') return next;
    seen = next;
  }
  logger.error('the record of a registration kept changing while its daylily.ready was settled; its folder may need repair', {
    workset_id: record.workset_id,
    state: seen?.state ?? 'removed',
  });
  return seen;
}

/** The customer deleted the workset before its registration completed: nothing will run. */
function deletedWhileRegistering(worksetId: string, current: WorksetRecord | undefined, keyed: boolean): ConflictError {
  const again = keyed ? ' Register it again with a new Idempotency-Key.' : ' Register it again if it is still wanted.';
  return current
    ? new ConflictError(`Workset ${worksetId} was deleted before its registration completed; it will not run.${again}`, {
        workset_id: worksetId,
        current_state: current.state,
      })
    : new ConflictError(
        `Workset ${worksetId} was deleted (record and control files) before its registration completed; nothing was registered.${again}`,
        { workset_id: worksetId },
      );
}

/**
 * The answer of a registration whose flip this request did not make, once its folder is settled:
 * the key's stored answer when a same-key request completed it, else what became of the record.
 */
async function answerOfOther(
  deps: RegistrationDeps,
  record: WorksetRecord,
  idempotencyKey: string | undefined,
  current: WorksetRecord | undefined,
  failure: { readonly message: string; readonly cause?: unknown },
): Promise<RegistrationOutcome> {
  const winner = idempotencyKey ? await deps.worksets.getIdempotencyRecord(idempotencyKey) : undefined;
  if (winner?.response && winner.workset_id === record.workset_id) return { ...winner.response, replayed: true };
  if (!current || current.state === 'deleted') throw deletedWhileRegistering(record.workset_id, current, idempotencyKey !== undefined);
  if (current.state === 'registering') throw new UpstreamError(failure.message, { cause: failure.cause });
  // Completed by a request whose answer was not stored (none with this key): describe it as it is.
  return { status: 201, body: JSON.stringify(toWorksetDetail(current)), location: worksetLocation(record.customer_id, record.workset_id), replayed: true };
}

export async function registerWorkset(deps: RegistrationDeps, command: RegisterWorksetCommand): Promise<RegistrationOutcome> {
  if (!deps.control.ok) throw new NotConfiguredError(deps.control.problem);
  const { bucket, prefix } = deps.control;
  rejectExportIntoControlBucket(command.request.export_uri, bucket);

  const claimed = await claim(command, deps, bucket, prefix);
  if ('replay' in claimed) return { ...claimed.replay, replayed: true };
  const { record, idempotencyKey, resumed } = claimed;
  const { samples } = command.request;
  const retryHint = idempotencyKey
    ? 'Retry the request with the same Idempotency-Key to complete it.'
    : 'Nothing was queued; retry the request (send an Idempotency-Key to make retries safe).';

  try {
    await writeControlFolder(deps, record, samples);
  } catch (error) {
    const written = error instanceof FolderWriteFailed ? error.written : [];
    if (!idempotencyKey) await discard(deps, record, written);
    throw new UpstreamError(`Registration of workset ${record.workset_id} failed while writing its control folder. ${retryHint}`, {
      cause: error instanceof FolderWriteFailed ? error.cause : error,
    });
  }

  const at = timestamp(deps.now());
  const entry: StateHistoryEntry = { from: 'registering', to: 'ready', reason: 'Control folder written', actor: command.actor, at };
  const ready: WorksetRecord = { ...record, state: 'ready', updated_at: at, state_history: [...record.state_history, entry] };
  const response: StoredResponse = {
    status: 201,
    body: JSON.stringify(toWorksetDetail(ready)),
    location: worksetLocation(record.customer_id, record.workset_id),
  };
  const failure: { message: string; cause?: unknown } = {
    message: `Registration of workset ${record.workset_id} failed while marking it ready. ${retryHint}`,
  };
  let completed: boolean;
  try {
    completed = await deps.worksets.completeRegistration({
      worksetId: record.workset_id,
      at,
      entry,
      // As read before this request wrote its daylily.ready (absent for a new registration).
      withdrawals: record.ready_withdrawals,
      ...(idempotencyKey ? { idempotency: { key: idempotencyKey, response } } : {}),
    });
  } catch (error) {
    failure.cause = error;
    completed = false;
  }
  if (completed) {
    logger.info('workset registered', { workset_id: record.workset_id, customer_id: record.customer_id, resumed });
    return { ...response, replayed: resumed };
  }

  // The flip was refused (no longer `registering`: completed by a same-key request, or deleted; or
  // still `registering` but fenced off by a request that withdrew daylily.ready since this one read
  // the record) or its outcome is unknown (the reply may be lost): look before cleaning anything up.
  let current: WorksetRecord | undefined;
  try {
    current = await deps.worksets.getWorkset(record.workset_id);
  } catch (error) {
    logger.error('registration could not be marked ready and its record could not be read; its folder may need repair', {
      workset_id: record.workset_id,
      error: (failure.cause ?? error) as Error,
    });
    throw new UpstreamError(failure.message, { cause: failure.cause ?? error });
  }
  if (failure.cause !== undefined && current?.state === 'ready' && current.updated_at === at) {
    logger.info('workset registered', { workset_id: record.workset_id, customer_id: record.customer_id, resumed });
    return { ...response, replayed: resumed };
  }
  const settled = await settleReady(deps, record, samples, current);
  if (!idempotencyKey && settled?.state === 'registering') {
    // daylily.ready too (first): settleReady may have failed to withdraw it, and once the record is
    // gone nothing else would.
    const { files, ready: readyObject } = registrationObjects(record, samples);
    await discard(deps, record, [readyObject.key, ...files.map((file) => file.key)]);
  }
  return answerOfOther(deps, record, idempotencyKey, settled, failure);
}
