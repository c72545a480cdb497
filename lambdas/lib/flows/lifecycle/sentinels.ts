/**
 * Keeping the control folder in step with DynamoDB, after DynamoDB: a plan (domain/sentinel-rules)
 * is applied with a few attempts; if it still fails, DynamoDB is NOT rolled back. The record gets
 * `sentinel_sync_pending` (what the folder should show) so the answer, GET and the reconciliation
 * feature can see and repair it.
 */
import type { LifecycleRecord } from '../../domain/lifecycle.ts';
import { planForRecord, type SentinelPlan } from '../../domain/sentinel-rules.ts';
import { logger } from '../../logging.ts';
import type { LifecycleDeps } from './deps.ts';
import type { SentinelStatus } from '../../domain/workset-detail.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function applyOnce(deps: LifecycleDeps, record: LifecycleRecord, plan: SentinelPlan): Promise<void> {
  const folder = record.control_prefix;
  // Stale sentinels first: between the two steps the folder shows no state, which the monitor skips.
  if (plan.delete.length > 0) await deps.folders.delete(record.control_bucket, plan.delete.map((name) => `${folder}${name}`));
  for (const put of plan.put) {
    await deps.folders.put(record.control_bucket, { key: `${folder}${put.name}`, body: put.body, contentType: 'text/plain' });
  }
}

/** Applies `plan` to the record's folder; flags the record when it cannot. */
export async function syncSentinels(deps: LifecycleDeps, record: LifecycleRecord, plan: SentinelPlan): Promise<SentinelStatus> {
  const attempts = deps.sentinelAttempts ?? 3;
  let delay = deps.sentinelBackoffMs ?? 50;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      await applyOnce(deps, record, plan);
      if (record.sentinel_sync_pending) {
        await deps.store.markSentinels({ worksetId: record.workset_id, version: record.version ?? 0, pending: undefined });
      }
      return { in_sync: true };
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await sleep(delay);
      delay *= 2;
    }
  }
  const pending = { state: record.state, lock: record.lock_owner !== undefined, since: deps.now().toISOString() };
  logger.error('control folder sentinels could not be updated; the record is flagged for repair', {
    workset_id: record.workset_id,
    wanted: pending,
    error: lastError as Error,
  });
  try {
    await deps.store.markSentinels({ worksetId: record.workset_id, version: record.version ?? 0, pending });
  } catch (error) {
    logger.error('could not flag the record for sentinel repair', { workset_id: record.workset_id, error: error as Error });
  }
  return { in_sync: false, pending };
}

/** The plan that makes a folder match `record` as it stands (state sentinel and lock). */
export function currentPlan(record: LifecycleRecord, now: Date): SentinelPlan {
  const entry = [...(record.state_history ?? [])].reverse().find((candidate) => candidate.to === record.state);
  return planForRecord(record, record.updated_at ?? now.toISOString(), entry?.reason ?? record.state);
}
