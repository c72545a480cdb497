/**
 * Taking `daylily.ready` back, from the record alone (no samples, no renderers, so the settle
 * pass carries no YAML): the rollback of a registration nobody can resume, and the settling of
 * `daylily.ready` after a flip a request did not make.
 *
 * A withdrawal may land on the `daylily.ready` a same-key request has just written. So each
 * withdrawal from a `registering` record is followed by a fence (`ready_withdrawals` + 1, while
 * still `registering`), and each flip is conditioned on the count its request read before writing
 * its own `daylily.ready`: a request whose file a withdrawal may have removed cannot mark the
 * record `ready` (it withdraws too and answers 503; a retry completes), and one that read the count
 * after the fence wrote its file after the withdrawal.
 */
import { registrationKeys } from '../../domain/registration.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import { logger } from '../../logging.ts';
import type { RegistrationDeps } from '../deps.ts';

/** What the folder steps use: the registration store and the bucket (the settle pass has them too). */
export type RegistrationFolderDeps = Pick<RegistrationDeps, 'worksets' | 'controlBucket'>;

/**
 * A failed registration nobody can resume (no idempotency key), removed. `daylily.ready` goes
 * first, while the `registering` record still flags the registration for the settle pass: once the
 * record is gone, nothing would find a `daylily.ready` left behind. Then the record,
 * conditionally, then the files (every one: a put that failed may have landed); without their
 * `daylily.ready` the monitor skips them. Returns false when a `daylily.ready` may be left (its
 * withdrawal failed; the record then stays for the settle pass), true otherwise, whatever else failed.
 */
export async function discardRegistration(deps: RegistrationFolderDeps, record: WorksetRecord, readyMayExist: boolean): Promise<boolean> {
  const { files, ready } = registrationKeys(record);
  try {
    if (readyMayExist) await deps.controlBucket.delete(record.control_bucket, [ready.key]);
  } catch (error) {
    logger.error('could not withdraw daylily.ready of a failed registration; the settle pass will', { workset_id: record.workset_id, error: error as Error });
    return false;
  }
  try {
    if (await deps.worksets.abandonRegistration(record.workset_id)) await deps.controlBucket.delete(record.control_bucket, files);
  } catch (error) {
    logger.warn('could not clean up a failed registration', { workset_id: record.workset_id, error: error as Error });
  }
  return true;
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
export async function settleReady(deps: RegistrationFolderDeps, record: WorksetRecord, current: WorksetRecord | undefined): Promise<WorksetRecord | undefined> {
  const { files, ready } = registrationKeys(record);
  let seen = current;
  for (let pass = 1; pass <= SETTLE_PASSES; pass += 1) {
    const wanted = advertises(record, seen);
    try {
      if (wanted) await deps.controlBucket.put(record.control_bucket, ready);
      else {
        await deps.controlBucket.delete(record.control_bucket, [ready.key]);
        if (!seen) await deps.controlBucket.delete(record.control_bucket, files);
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
