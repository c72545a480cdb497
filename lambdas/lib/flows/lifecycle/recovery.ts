/**
 * Recovering a run whose worker died: an `in_progress` workset whose lease ran out with nobody
 * heartbeating it is a transient failure, recorded by the protocol itself (`expiry`), so the
 * workset goes to `retrying` (or `failed` past its retry budget) and any worker can claim it after
 * the backoff — without an operator. The lease is revoked, so the old worker's writes are fenced
 * off. Conditioned on the lease still being expired: a heartbeat that lands first wins.
 */
import { decideFailure, hasLiveLease } from '../../domain/lifecycle.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { logger } from '../../logging.ts';
import type { ControlBucketDeps } from '../deps.ts';
import { failureEffects } from './effects.ts';
import { transition } from './transition.ts';

/** The run is not (or no longer) one to recover: live, ended, or someone else recovered it. */
class NothingToRecover extends Error {}

/** Records the lapsed lease of `worksetId`'s run as a transient failure; the record after it, or undefined when there was nothing to recover. */
export async function recoverExpiredRun(deps: ControlBucketDeps, worksetId: string, foundBy: string): Promise<WorksetRecord | undefined> {
  try {
    const result = await transition(deps, {
      worksetId,
      to: (record, now) => decideFailure(record, 'transient', now).to,
      via: ['expiry'],
      reason: 'lease expired',
      actor: foundBy,
      check: (record, _to, _via, now) => {
        if (record.state !== 'in_progress' || record.lock_owner === undefined || hasLiveLease(record, now)) throw new NothingToRecover();
      },
      effects: (record, _to, _via, now) => {
        const details = `The lease of ${record.lock_owner} (epoch ${record.lease_epoch ?? 0}) expired at ${record.lease_expires_at} with its run unfinished.`;
        const effects = failureEffects(record, { category: 'transient', details, step: record.current_step ?? 'unknown' }, now);
        return { ...effects, reason: `${effects.reason} (lease expired)`, noLiveLeaseAt: now.toISOString() };
      },
    });
    logger.info('recovered a run whose lease expired', { workset_id: worksetId, state: result.record.state, found_by: foundBy });
    return result.record;
  } catch (error) {
    if (error instanceof NothingToRecover || error instanceof ConflictError || error instanceof NotFoundError) return undefined;
    throw error;
  }
}
