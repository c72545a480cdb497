/**
 * Registration's writes to the control bucket: the folder (every file, then `daylily.ready`
 * last), the rollback of a registration nobody can resume, and the settling of `daylily.ready`
 * after a flip this request did not make.
 *
 * A withdrawal may land on the `daylily.ready` a same-key request has just written. So each
 * withdrawal from a `registering` record is followed by a fence (`ready_withdrawals` + 1, while
 * still `registering`), and each flip is conditioned on the count its request read before writing
 * its own `daylily.ready`: a request whose file a withdrawal may have removed cannot mark the
 * record `ready` (it withdraws too and answers 503; a retry completes), and one that read the count
 * after the fence wrote its file after the withdrawal.
 */
import { registrationObjects, type ControlObject } from '../../domain/control-folder.ts';
import type { Sample } from '../../domain/stage-samples.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import { logger } from '../../logging.ts';
import type { RegistrationDeps } from '../deps.ts';

export class FolderWriteFailed extends Error {
  constructor(
    readonly written: readonly string[],
    cause: unknown,
  ) {
    super('control folder write failed', { cause });
  }
}

/** Step 2. Every file, then `daylily.ready`. Throws FolderWriteFailed naming what was written. */
export async function writeControlFolder(deps: RegistrationDeps, record: WorksetRecord, samples: readonly Sample[]): Promise<string[]> {
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

/**
 * Best effort: a failed registration without an idempotency key can never be resumed, so remove
 * it. The record goes first, conditionally: its files are deleted only once it is certain that no
 * record (ready or not) points at them.
 */
export async function discardRegistration(deps: RegistrationDeps, record: WorksetRecord, written: readonly string[]): Promise<void> {
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
 * (flows/lifecycle/sentinel-sync.ts), and applies again when the answer changed. Best effort: a
 * failed S3 call, fence or read is logged. Returns the record as last read.
 */
export async function settleReady(
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
