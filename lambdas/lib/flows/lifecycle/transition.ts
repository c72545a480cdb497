/**
 * The protocol of every state change: read the record, ask the transition table, write ONE
 * conditional transaction guarded by the state and version read (and the lease or the customer
 * where asked, and the customer's quota when the change takes a slot), then bring the control
 * folder's sentinels in step. A writer that loses a race
 * re-reads and decides again (the change may still be allowed, or now answers 409); nobody
 * overwrites a state they did not see.
 */
import {
  boundedHistory,
  describeForbidden,
  isAllowed,
  recordVersion,
  type TransitionVia,
} from '../../domain/lifecycle.ts';
import { slotDelta, type CustomerRecord } from '../../domain/customer.ts';
import { planForRecord, planForState } from '../../domain/sentinel-rules.ts';
import type { HistoryEntry, WorksetRecord, WorksetState } from '../../domain/workset.ts';
import { ConflictError } from '../../errors.ts';
import { activeCustomer, quotaExceeded, slotClaimOf } from '../customer-quotas.ts';
import { ownedRecord } from '../ownership.ts';
import type { LeaseClaim, StateChange, WriteOutcome } from '../../ports/worksets.ts';
import type { ControlBucketDeps } from '../deps.ts';
import { syncSentinels } from './sentinel-sync.ts';
import { toWorksetDetail, type SentinelStatus, type WorksetDetail } from '../../domain/workset-detail.ts';

/** How often a writer that lost a race re-reads and tries again. */
const RACE_ATTEMPTS = 5;

/** What a change writes besides state, version, history and updated_at. */
export type ChangeEffects = Pick<StateChange, 'set' | 'remove' | 'metrics' | 'revokeLease' | 'noLiveLeaseAt'> & {
  readonly entryExtra?: Partial<Pick<HistoryEntry, 'error_category'>>;
  /** The reason in the history entry, when it depends on the record (e.g. a failure decision). */
  readonly reason?: string;
};

export interface TransitionRequest {
  readonly worksetId: string;
  /** The target, or how to find it from the current record (restore, failure). */
  readonly to: WorksetState | ((record: WorksetRecord, now: Date) => WorksetState);
  /** The ways this caller may transition; the first allowed one is used. */
  readonly via: readonly TransitionVia[];
  /** Whose targets a 409 lists (default: `via`). */
  readonly reportVia?: readonly TransitionVia[];
  readonly reason: string;
  readonly actor: string;
  /** Customer actions: someone else's workset is "not found". */
  readonly customerId?: string;
  /** Worker writes: owner and fencing token. */
  readonly lease?: LeaseClaim;
  /** Further checks on the current record (throw to refuse). */
  readonly check?: (record: WorksetRecord, to: WorksetState, via: TransitionVia, now: Date) => void;
  /** Extra effects of this change, decided on the current record. */
  readonly effects?: (record: WorksetRecord, to: WorksetState, via: TransitionVia, now: Date) => ChangeEffects;
  /**
   * Runs before the write (archive copies files). `undo` runs when the write then loses, with the
   * record as it is now (the winner's). Throwing RecordChanged makes the request decide again.
   */
  readonly prepare?: (record: WorksetRecord, change: StateChange) => Promise<{ undo?: (current: WorksetRecord | undefined) => Promise<void> } | void>;
}

/** Thrown by `prepare` when the record changed under it: the request re-reads and decides again. */
export class RecordChanged extends Error {
  constructor(readonly worksetId: string) {
    super(`workset ${worksetId} changed while the change was being prepared`);
  }
}

export interface TransitionResult {
  readonly record: WorksetRecord;
  readonly previous: WorksetRecord;
  readonly sentinels: SentinelStatus;
}

/** The answer of a transition: the workset as it is now, with the state of its folder. */
export function detailOf(result: TransitionResult): WorksetDetail {
  return toWorksetDetail(result.record, result.sentinels);
}


/** 409 for a lease that is not the caller's (any more): the state tells a worker whether to stop. */
export function leaseConflict(record: WorksetRecord, message: string): ConflictError {
  return new ConflictError(message, {
    current_state: record.state,
    lock_owner: record.lock_owner ?? null,
    lease_epoch: record.lease_epoch ?? null,
    lease_expires_at: record.lock_owner ? (record.lease_expires_at ?? null) : null,
  });
}

export function checkLease(record: WorksetRecord, lease: LeaseClaim): void {
  if (record.lock_owner !== lease.owner) {
    throw leaseConflict(
      record,
      record.lock_owner === undefined
        ? `${lease.owner} does not hold the lease on workset ${record.workset_id} (nobody does).`
        : `${lease.owner} does not hold the lease on workset ${record.workset_id}.`,
    );
  }
  if (record.lease_epoch !== lease.epoch) {
    throw leaseConflict(
      record,
      `lease_epoch ${lease.epoch} is stale: the lease on workset ${record.workset_id} is at epoch ${record.lease_epoch ?? 0}. Stop: newer work may exist.`,
    );
  }
}

function forbidden(record: WorksetRecord, to: WorksetState, via: readonly TransitionVia[]): ConflictError {
  const { message, details } = describeForbidden(record.state, to, via);
  return new ConflictError(`Workset ${record.workset_id}: ${message}`, { ...details });
}

function keptChanging(request: TransitionRequest, current: WorksetRecord | undefined): ConflictError {
  const record = ownedRecord(current, request.worksetId, request.customerId);
  return new ConflictError(`Workset ${request.worksetId} kept changing while this request tried to update it; retry.`, { current_state: record.state });
}

/**
 * The state write, and what to do when it throws instead of answering (a 5xx, throttling past the
 * retries, a lost reply): its outcome is unknown, so look. Landed: carry on as if it had answered.
 * Not landed: undo what `prepare` did, then fail. Unreadable: fail and touch nothing, since the
 * write may have landed (a move's claim then expires on its own).
 */
async function changeStateOrLook(
  deps: ControlBucketDeps,
  change: StateChange,
  record: WorksetRecord,
  undo: ((current: WorksetRecord | undefined) => Promise<void>) | undefined,
): Promise<WriteOutcome> {
  try {
    return await deps.worksets.changeState(change, record);
  } catch (error) {
    const current = await deps.worksets.getWorkset(change.worksetId).catch(() => 'unknown' as const);
    if (current === 'unknown') throw error;
    if (current && recordVersion(current) === change.version + 1 && current.updated_at === change.at && current.state === change.to) {
      return { ok: true, record: current };
    }
    await undo?.(current);
    throw error;
  }
}

export async function transition(deps: ControlBucketDeps, request: TransitionRequest): Promise<TransitionResult> {
  for (let attempt = 1; ; attempt += 1) {
    const record = ownedRecord(await deps.worksets.getWorkset(request.worksetId), request.worksetId, request.customerId);
    const now = deps.now();
    const to = typeof request.to === 'function' ? request.to(record, now) : request.to;
    const via = request.via.find((way) => isAllowed(record.state, to, way));
    if (!via) throw forbidden(record, to, request.reportVia ?? request.via);
    if (request.lease) checkLease(record, request.lease);
    request.check?.(record, to, via, now);
    // Back into a state that holds a slot (retry, restore, an operator's return to ready): within the quota.
    const customer: CustomerRecord | undefined = slotDelta(record.state, to) > 0 ? await activeCustomer(deps.customers, record.customer_id) : undefined;

    const at = now.toISOString();
    const effects = request.effects?.(record, to, via, now) ?? {};
    const entry: HistoryEntry = {
      from: record.state,
      to,
      reason: effects.reason ?? request.reason,
      actor: request.actor,
      at,
      ...effects.entryExtra,
    };
    const change: StateChange = {
      worksetId: record.workset_id,
      from: record.state,
      to,
      version: recordVersion(record),
      at,
      entry,
      history: boundedHistory(record.state_history ?? [], entry),
      ...(effects.set ? { set: effects.set } : {}),
      // The new state's plan rewrites the folder: an earlier unsynced state no longer matters.
      remove: [...(effects.remove ?? []), 'sentinel_sync_pending'],
      ...(effects.metrics ? { metrics: effects.metrics } : {}),
      ...(effects.revokeLease ? { revokeLease: true } : {}),
      ...(effects.noLiveLeaseAt ? { noLiveLeaseAt: effects.noLiveLeaseAt } : {}),
      ...(request.lease ? { lease: request.lease } : {}),
      ...(request.customerId !== undefined ? { customerId: request.customerId } : {}),
      ...(customer ? { slot: slotClaimOf(customer) } : {}),
    };
    let prepared: { undo?: (current: WorksetRecord | undefined) => Promise<void> } = {};
    try {
      prepared = (await request.prepare?.(record, change)) ?? {};
    } catch (error) {
      if (!(error instanceof RecordChanged)) throw error;
      if (attempt >= RACE_ATTEMPTS) throw keptChanging(request, await deps.worksets.getWorkset(request.worksetId));
      continue;
    }
    const outcome = await changeStateOrLook(deps, change, record, prepared.undo);
    if (outcome.ok) {
      const updated = outcome.record;
      // An earlier failed sync may have left the lock sentinel out too: then repair everything.
      const plan = record.sentinel_sync_pending ? planForRecord(updated, at, entry.reason) : planForState(updated, at, entry.reason);
      const sentinels = await syncSentinels(deps, { ...updated, sentinel_sync_pending: undefined }, plan);
      return { record: sentinels.in_sync ? updated : { ...updated, sentinel_sync_pending: sentinels.pending }, previous: record, sentinels };
    }
    await prepared.undo?.(outcome.current);
    if (outcome.slot) throw quotaExceeded(customer!, outcome.slot.usage);
    // Lost a race (or the lease moved): decide again on what is there now.
    if (attempt >= RACE_ATTEMPTS) throw keptChanging(request, outcome.current);
  }
}
