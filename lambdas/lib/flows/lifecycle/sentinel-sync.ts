/**
 * Keeping the control folder in step with DynamoDB, after DynamoDB: a plan (domain/sentinel-rules)
 * is applied with a few attempts; if it still fails, DynamoDB is NOT rolled back. The record gets
 * `sentinel_sync_pending` (what the folder should show) so the answer and GET say so; the next
 * successful sync of that workset clears it.
 *
 * Sentinel writes are not ordered by S3: a slow or retried write can land after a later change's
 * own sync. So every sync re-reads the record after applying its plan, and when the record moved
 * on meanwhile (version, lease owner or epoch), the last writer makes the folder match the record
 * as it is now — which can mean deletes and puts, so every route that syncs sentinels is granted
 * both on the active prefix.
 */
import type { WorksetRecord } from '../../domain/workset.ts';
import { planForRecord, type SentinelPlan } from '../../domain/sentinel-rules.ts';
import { logger } from '../../logging.ts';
import type { SentinelSyncDeps } from '../deps.ts';
import type { SentinelStatus } from '../../domain/workset-detail.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Re-reads after a sync before giving the folder up to the pending flag (each one a full plan). */
const RECONCILE_PASSES = 3;

async function applyOnce(deps: SentinelSyncDeps, record: WorksetRecord, plan: SentinelPlan): Promise<void> {
  const folder = record.control_prefix;
  // Stale sentinels first: between the two steps the folder shows no state, which the monitor skips.
  if (plan.delete.length > 0) await deps.controlBucket.delete(record.control_bucket, plan.delete.map((name) => `${folder}${name}`));
  for (const put of plan.put) {
    await deps.controlBucket.put(record.control_bucket, { key: `${folder}${put.name}`, body: put.body, contentType: 'text/plain' });
  }
}

async function applyWithRetries(deps: SentinelSyncDeps, record: WorksetRecord, plan: SentinelPlan): Promise<unknown> {
  const attempts = deps.sentinelAttempts ?? 3;
  let delay = deps.sentinelBackoffMs ?? 50;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      await applyOnce(deps, record, plan);
      return undefined;
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await sleep(delay);
      delay *= 2;
    }
  }
  return lastError ?? new Error('sentinel plan failed');
}

/** Whether the record changed since `synced` was read: then this plan may be stale. */
function movedOn(synced: WorksetRecord, current: WorksetRecord): boolean {
  return current.version !== synced.version || current.lock_owner !== synced.lock_owner || current.lease_epoch !== synced.lease_epoch;
}

/** Takes back what a late plan put into a folder the record no longer uses (moved or hard-deleted). */
async function withdrawPuts(deps: SentinelSyncDeps, record: WorksetRecord, plan: SentinelPlan): Promise<void> {
  if (plan.put.length === 0) return;
  try {
    await deps.controlBucket.delete(record.control_bucket, plan.put.map((put) => `${record.control_prefix}${put.name}`));
  } catch (error) {
    logger.error('could not remove sentinels written into a folder the record left', { workset_id: record.workset_id, error: error as Error });
  }
}

/** Applies `plan` to the record's folder, then reconciles with newer changes; flags the record when it cannot. */
export async function syncSentinels(deps: SentinelSyncDeps, record: WorksetRecord, plan: SentinelPlan): Promise<SentinelStatus> {
  let synced = record;
  // A flagged folder may be wrong in any sentinel: then the full plan, whatever the caller asked.
  let wanted = record.sentinel_sync_pending ? currentPlan(record, deps.now()) : plan;
  let full = record.sentinel_sync_pending !== undefined;
  let failure: unknown;
  for (let pass = 1; pass <= RECONCILE_PASSES; pass += 1) {
    failure = await applyWithRetries(deps, synced, wanted);
    if (failure !== undefined) break;
    let current: WorksetRecord | undefined;
    try {
      current = await deps.worksets.getWorkset(synced.workset_id);
    } catch (error) {
      // The plan was applied; only the fence could not be checked.
      logger.error('could not re-read the record after a sentinel sync', { workset_id: synced.workset_id, error: error as Error });
      return { in_sync: true };
    }
    if (!current || current.control_prefix !== synced.control_prefix) {
      // Hard-deleted, or moved: the mover's own (fenced) sync owns the new folder; this one only
      // takes back what it may have left in the old one.
      await withdrawPuts(deps, synced, wanted);
      return { in_sync: true };
    }
    if (!movedOn(synced, current) && (full || !current.sentinel_sync_pending)) {
      if (synced.sentinel_sync_pending || current.sentinel_sync_pending) {
        await deps.worksets.markSentinels({ worksetId: current.workset_id, version: current.version ?? 0, pending: undefined });
      }
      return { in_sync: true };
    }
    // A newer change synced before this plan landed (or is syncing now), or someone flagged the
    // folder meanwhile: the last writer makes it match the record as it is now.
    synced = current;
    wanted = currentPlan(current, deps.now());
    full = true;
  }
  const pending = { state: synced.state, lock: synced.lock_owner !== undefined, since: deps.now().toISOString() };
  logger.error('control folder sentinels could not be updated; the record is flagged for repair', {
    workset_id: synced.workset_id,
    wanted: pending,
    ...(failure !== undefined ? { error: failure as Error } : { reason: 'the record kept changing' }),
  });
  try {
    await deps.worksets.markSentinels({ worksetId: synced.workset_id, version: synced.version ?? 0, pending });
  } catch (error) {
    logger.error('could not flag the record for sentinel repair', { workset_id: synced.workset_id, error: error as Error });
  }
  return { in_sync: false, pending };
}

/** The plan that makes a folder match `record` as it stands (state sentinel and lock). */
export function currentPlan(record: WorksetRecord, now: Date): SentinelPlan {
  const entry = [...(record.state_history ?? [])].reverse().find((candidate) => candidate.to === record.state);
  return planForRecord(record, record.updated_at ?? now.toISOString(), entry?.reason ?? record.state);
}
