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
 *
 * "Nothing was queued" is said only when no `daylily.ready` of the registration can be left. When
 * that cannot be known (the flip's reply was lost and the record cannot be read back, or a
 * keyless rollback could not withdraw its `daylily.ready`), the answer says the outcome is unknown
 * and where to look; the `registering` record stays, and the settle pass
 * (settle-registration.ts) finds it through the state index and settles it.
 */
import { toWorksetDetail, type WorksetDetail } from '../../domain/workset-detail.ts';
import { timestamp, type HistoryEntry, type WorksetRecord } from '../../domain/workset.ts';
import { NotConfiguredError, OutcomeUnknownError, UpstreamError } from '../../errors.ts';
import { logger } from '../../logging.ts';
import { invalidInput } from '../../schemas/parse.ts';
import type { RegistrationDeps } from '../deps.ts';
import { beginRegistration, deletedWhileRegistering, type RegisterWorksetCommand } from './begin-registration.ts';
import { FolderWriteFailed, writeControlFolder } from './control-folder-writes.ts';
import { discardRegistration, settleReady } from './settle-ready.ts';
import { exportUriProblem } from './registration-request.ts';

export type { RegisterWorksetCommand };

export interface RegistrationOutcome {
  readonly workset: WorksetDetail;
  /** True when this answer replays an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

/** Reads of a record whose flip's outcome is unknown, by default 0.1, 0.2 and 0.4 s apart: well inside the function's 10 s. */
const READ_ATTEMPTS = 4;

async function readBack(deps: RegistrationDeps, worksetId: string): Promise<WorksetRecord | undefined> {
  for (let attempt = 1, pause = deps.readBackoffMs ?? 100; ; attempt += 1, pause *= 2) {
    try {
      return await deps.worksets.getWorkset(worksetId);
    } catch (error) {
      if (attempt >= READ_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** Never "nothing was queued": a `daylily.ready` may stand, or the workset may be ready. */
function outcomeUnknown(record: WorksetRecord, keyed: boolean, cause: unknown): OutcomeUnknownError {
  return new OutcomeUnknownError(
    `Registration of workset ${record.workset_id} did not finish and its outcome is unknown. GET its Location${keyed ? ' or retry with the same Idempotency-Key' : ''}: the service settles it (ready, or not found).`,
    { customerId: record.customer_id, worksetId: record.workset_id },
    { cause },
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
  if (winner?.answer && winner.workset_id === record.workset_id) return { workset: winner.answer, replayed: true };
  if (!current || current.state === 'deleted') throw deletedWhileRegistering(record.workset_id, current, idempotencyKey !== undefined);
  if (current.state === 'registering') throw new UpstreamError(failure.message, { cause: failure.cause });
  // Completed by a request whose answer was not stored (none with this key): describe it as it is.
  return { workset: toWorksetDetail(current), replayed: true };
}

export async function registerWorkset(deps: RegistrationDeps, command: RegisterWorksetCommand): Promise<RegistrationOutcome> {
  if (!deps.controlLocation.ok) throw new NotConfiguredError(deps.controlLocation.problem);
  const { bucket, prefix } = deps.controlLocation;
  const exportProblem = exportUriProblem(command.request.export_uri, bucket);
  if (exportProblem) throw invalidInput('request body', [exportProblem]);

  const begun = await beginRegistration(command, deps, { bucket, prefix });
  if ('replay' in begun) return { workset: begun.replay, replayed: true };
  const { record, idempotencyKey, resumed } = begun;
  const contents = command.request;
  const retryHint = idempotencyKey
    ? 'Retry the request with the same Idempotency-Key to complete it.'
    : 'Nothing was queued; retry the request (send an Idempotency-Key to make retries safe).';

  try {
    await writeControlFolder(deps, record, contents);
  } catch (error) {
    const cause = error instanceof FolderWriteFailed ? error.cause : error;
    // A failed put of daylily.ready may have landed: withdraw it (fenced, for same-key requests).
    const readyMayExist = !(error instanceof FolderWriteFailed) || error.readyAttempted;
    if (!idempotencyKey) {
      if (!(await discardRegistration(deps, record, readyMayExist))) throw outcomeUnknown(record, false, cause);
    } else if (readyMayExist) await settleReady(deps, record, record);
    throw new UpstreamError(`Registration of workset ${record.workset_id} failed while writing its control folder. ${retryHint}`, { cause });
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
      customerId: record.customer_id,
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
  const registered = (): RegistrationOutcome => {
    logger.info('workset registered', { workset_id: record.workset_id, customer_id: record.customer_id, resumed });
    return { workset, replayed: resumed };
  };
  if (completed) return registered();

  // The flip was refused (no longer `registering`: completed by a same-key request, or deleted; or
  // still `registering` but fenced off by a request that withdrew daylily.ready since this one read
  // the record) or its outcome is unknown (the reply may be lost): look before cleaning anything up.
  let current: WorksetRecord | undefined;
  try {
    current = await readBack(deps, record.workset_id);
  } catch (error) {
    // Its daylily.ready stays: if the flip landed the folder is right; if not, the record is still
    // `registering` and the settle pass finds it and makes the two agree.
    logger.error('registration could not be marked ready and its record could not be read; left to the settle pass', {
      workset_id: record.workset_id,
      error: (failure.cause ?? error) as Error,
    });
    throw outcomeUnknown(record, idempotencyKey !== undefined, failure.cause ?? error);
  }
  // The flip landed and only its reply was lost.
  if (failure.cause !== undefined && current?.state === 'ready' && current.updated_at === at) return registered();
  const settled = await settleReady(deps, record, current);
  // daylily.ready again (first): settleReady may have failed to withdraw it.
  if (!idempotencyKey && settled?.state === 'registering' && !(await discardRegistration(deps, record, true))) {
    throw outcomeUnknown(record, false, failure.cause);
  }
  return answerOfOther(deps, record, idempotencyKey, settled, failure);
}
