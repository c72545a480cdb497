/**
 * Registration, the shared integration flow. The protocol:
 *  1. one DynamoDB transaction: the customer exists, the idempotency key is claimed, and a
 *     `registering` record is created, never overwriting anything (begin-registration.ts);
 *  2. the control folder files, then `daylily.ready` last (control-folder-writes.ts);
 *  3. one transaction flips the record to `ready` and stores the answer for replays.
 * So no workset is `ready` in DynamoDB before its files exist, and a failure at any step leaves
 * nothing a worker (DynamoDB `ready`) or the monitor (`daylily.ready`) would pick up. A retry with
 * the same Idempotency-Key resumes a failed registration from step 2. A request whose flip did not
 * take effect makes its `daylily.ready` match the record as it is then (`settleReady`): kept when a
 * same-key request completed it, withdrawn otherwise; a registration its customer deleted meanwhile
 * answers 409, and one whose record is gone removes every file it wrote.
 */
import { registrationObjects } from '../../domain/control-folder.ts';
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import { timestamp, type HistoryEntry, type WorksetRecord } from '../../domain/workset.ts';
import { InvalidInputError, NotConfiguredError, UpstreamError } from '../../errors.ts';
import { logger } from '../../logging.ts';
import type { RegistrationDeps } from '../deps.ts';
import { beginRegistration, deletedWhileRegistering, type RegisterWorksetCommand } from './begin-registration.ts';
import { discardRegistration, FolderWriteFailed, settleReady, writeControlFolder } from './control-folder-writes.ts';

export type { RegisterWorksetCommand };

export interface RegistrationOutcome {
  readonly workset: WorksetDetail;
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
  if (winner?.answer && winner.workset_id === record.workset_id) return { workset: winner.answer, replayed: true };
  if (!current || current.state === 'deleted') throw deletedWhileRegistering(record.workset_id, current, idempotencyKey !== undefined);
  if (current.state === 'registering') throw new UpstreamError(failure.message, { cause: failure.cause });
  // Completed by a request whose answer was not stored (none with this key): describe it as it is.
  return { workset: toWorksetDetail(current), replayed: true };
}

export async function registerWorkset(deps: RegistrationDeps, command: RegisterWorksetCommand): Promise<RegistrationOutcome> {
  if (!deps.controlLocation.ok) throw new NotConfiguredError(deps.controlLocation.problem);
  const { bucket, prefix } = deps.controlLocation;
  rejectExportIntoControlBucket(command.request.export_uri, bucket);

  const begun = await beginRegistration(command, deps, { bucket, prefix });
  if ('replay' in begun) return { workset: begun.replay, replayed: true };
  const { record, idempotencyKey, resumed } = begun;
  const { samples } = command.request;
  const retryHint = idempotencyKey
    ? 'Retry the request with the same Idempotency-Key to complete it.'
    : 'Nothing was queued; retry the request (send an Idempotency-Key to make retries safe).';

  try {
    await writeControlFolder(deps, record, samples);
  } catch (error) {
    const written = error instanceof FolderWriteFailed ? error.written : [];
    if (!idempotencyKey) await discardRegistration(deps, record, written);
    throw new UpstreamError(`Registration of workset ${record.workset_id} failed while writing its control folder. ${retryHint}`, {
      cause: error instanceof FolderWriteFailed ? error.cause : error,
    });
  }

  const at = timestamp(deps.now());
  const entry: HistoryEntry = { from: 'registering', to: 'ready', reason: 'Control folder written', actor: command.actor, at };
  // As completeRegistration writes it: the ready flip is the record's first version.
  const ready: WorksetRecord = { ...record, state: 'ready', version: 1, updated_at: at, state_history: [...record.state_history, entry] };
  const workset = toWorksetDetail(ready);
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
      ...(idempotencyKey ? { idempotency: { key: idempotencyKey, answer: workset } } : {}),
    });
  } catch (error) {
    failure.cause = error;
    completed = false;
  }
  if (completed) {
    logger.info('workset registered', { workset_id: record.workset_id, customer_id: record.customer_id, resumed });
    return { workset, replayed: resumed };
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
    return { workset, replayed: resumed };
  }
  const settled = await settleReady(deps, record, samples, current);
  if (!idempotencyKey && settled?.state === 'registering') {
    // daylily.ready too (first): settleReady may have failed to withdraw it, and once the record is
    // gone nothing else would.
    const { files, ready: readyObject } = registrationObjects(record, samples);
    await discardRegistration(deps, record, [readyObject.key, ...files.map((file) => file.key)]);
  }
  return answerOfOther(deps, record, idempotencyKey, settled, failure);
}
