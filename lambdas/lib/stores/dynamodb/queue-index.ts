/**
 * The two index attributes the worksets adapter keeps on a record for the queue, and hides from
 * the port (a record read back never carries them):
 * - `claimable` = the state, only while a workset is `ready` or `retrying` and nobody holds a
 *   lease on it: the claimable index (a claim never reads past leased worksets);
 * - `live_lease` = `live`, only while a lease is held on a `ready`, `retrying` or `in_progress`
 *   workset: the lease-expiry index (a claim finds leases that ran out).
 * Every write that changes the state or the lease sets or removes them in the same request.
 */
import { LEASE_LIVE_STATES, LOCKABLE_STATES } from '../../domain/lifecycle.ts';
import type { WorksetRecord, WorksetState } from '../../domain/workset.ts';
import { RECONCILE_AT, RECONCILE_KEY } from './reconcile-index.ts';

export const CLAIMABLE = 'claimable';
export const LIVE_LEASE = 'live_lease';
/** The one value of `live_lease` (the index's single partition). */
export const LIVE = 'live';

export const isClaimableState = (state: WorksetState): boolean => (LOCKABLE_STATES as readonly WorksetState[]).includes(state);
export const isLeaseLiveState = (state: WorksetState): boolean => (LEASE_LIVE_STATES as readonly WorksetState[]).includes(state);

/** The index attributes a record should carry, as the writes keep them. */
export function queueIndexAttributes(record: Pick<WorksetRecord, 'state' | 'lock_owner'>): { claimable?: WorksetState; live_lease?: string } {
  const leased = record.lock_owner !== undefined;
  return {
    ...(isClaimableState(record.state) && !leased ? { [CLAIMABLE]: record.state } : {}),
    ...(isLeaseLiveState(record.state) && leased ? { [LIVE_LEASE]: LIVE } : {}),
  };
}

/** A record as stored: with its index attributes (what tools and tests that write items directly use). */
export function toItem(record: WorksetRecord): Record<string, unknown> {
  return { ...record, ...queueIndexAttributes(record) };
}

/** A stored item as the port returns it: without the index attributes (the reconcile index's too). */
export function fromItem(item: Record<string, unknown>): WorksetRecord {
  const { [CLAIMABLE]: _claimable, [LIVE_LEASE]: _lease, [RECONCILE_KEY]: _reconcile, [RECONCILE_AT]: _since, ...record } = item;
  return record as unknown as WorksetRecord;
}

export function fromOptionalItem(item: Record<string, unknown> | undefined): WorksetRecord | undefined {
  return item === undefined ? undefined : fromItem(item);
}
