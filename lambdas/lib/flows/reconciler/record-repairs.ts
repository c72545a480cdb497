/**
 * The repairs a pass makes from records alone, each through the flow that owns the protocol:
 * - registrations past their grace period: the settle pass (flows/registration/settle-registration.ts);
 * - `in_progress` runs whose lease ran out: the lifecycle's recovery (flows/lifecycle/recovery.ts),
 *   a transient failure (`retrying`, or `failed` past the retry budget);
 * - records flagged `sentinel_sync_pending`: the lifecycle's fenced sentinel sync of the record's
 *   full plan (flows/lifecycle/sentinel-sync.ts), which clears the flag.
 * Every one is conditional on what it read, as the flows are for live requests, so a pass runs
 * safely beside them and beside another pass.
 */
import { hasLiveLease } from '../../domain/lifecycle.ts';
import { REGISTRATION_GRACE_SECONDS } from '../../domain/registration.ts';
import type { SettleAction } from '../../domain/answers.ts';
import { NotFoundError } from '../../errors.ts';
import { recoverExpiredRun } from '../lifecycle/recovery.ts';
import { currentPlan, syncSentinels } from '../lifecycle/sentinel-sync.ts';
import { settleWorkset } from '../registration/settle-registration.ts';
import type { ReconcilerDeps } from '../deps.ts';
import type { Pass } from './pass.ts';
import type { Snapshot } from './snapshot.ts';

/** What the settle pass answers when it found something to settle (the rest is not drift). */
const SETTLED: ReadonlySet<SettleAction> = new Set(['completed', 'withdrawn', 'rolled-back', 'restored', 'changed']);

export async function settleRegistrations(deps: ReconcilerDeps, pass: Pass, snapshot: Snapshot): Promise<void> {
  const cutoff = deps.now().getTime() - REGISTRATION_GRACE_SECONDS * 1000;
  for (const record of snapshot.active.values()) {
    if (pass.timeUp()) return;
    if (record.state !== 'registering' || Date.parse(record.updated_at) > cutoff) continue;
    await pass.attempt('registration', record.workset_id, async () => {
      try {
        const result = await settleWorkset(deps, record.workset_id, { dryRun: pass.dryRun, actor: pass.actor });
        if (!SETTLED.has(result.action)) return;
        pass.touched.add(record.workset_id);
        pass.note({ kind: 'registration', target: record.workset_id, outcome: pass.dryRun ? 'found' : 'repaired', action: result.action, ...(result.missing_files ? { detail: `missing ${result.missing_files.join(', ')}` } : {}) });
      } catch (error) {
        // Removed since it was listed: nothing left to settle.
        if (!(error instanceof NotFoundError)) throw error;
      }
    });
  }
}

export async function recoverLapsedLeases(deps: ReconcilerDeps, pass: Pass, snapshot: Snapshot): Promise<void> {
  for (const record of snapshot.active.values()) {
    if (pass.timeUp()) return;
    if (record.state !== 'in_progress' || record.lock_owner === undefined || hasLiveLease(record, deps.now())) continue;
    const detail = `the lease of ${record.lock_owner} expired at ${record.lease_expires_at}`;
    if (pass.dryRun) {
      pass.note({ kind: 'expired-lease', target: record.workset_id, outcome: 'found', action: 'recover', detail });
      continue;
    }
    await pass.attempt('expired-lease', record.workset_id, async () => {
      const recovered = await recoverExpiredRun(deps, record.workset_id, pass.actor);
      pass.touched.add(record.workset_id);
      // Nothing to recover any more: a late heartbeat, its worker's last write, or a claim got there first.
      if (!recovered) return;
      pass.note({ kind: 'expired-lease', target: record.workset_id, outcome: 'repaired', action: `recovered (${recovered.state})`, detail });
    });
  }
}

export async function repairFlagged(deps: ReconcilerDeps, pass: Pass, snapshot: Snapshot): Promise<void> {
  for (const listed of snapshot.flagged.values()) {
    if (pass.timeUp()) return;
    if (!pass.untouched(listed)) continue;
    await pass.attempt('flagged', listed.workset_id, async () => {
      // The index may lag the record: repair what is flagged now.
      const record = await deps.worksets.getWorkset(listed.workset_id);
      pass.touched.add(listed.workset_id);
      if (!record?.sentinel_sync_pending) return;
      const detail = `should show ${record.sentinel_sync_pending.state}${record.sentinel_sync_pending.lock ? ' and daylily.lock' : ''} (flagged ${record.sentinel_sync_pending.since})`;
      if (pass.dryRun) {
        pass.note({ kind: 'flagged', target: record.workset_id, outcome: 'found', action: 'sync', detail });
        return;
      }
      const status = await syncSentinels(deps, record, currentPlan(record, deps.now()));
      pass.note({ kind: 'flagged', target: record.workset_id, outcome: status.in_sync ? 'repaired' : 'failed', action: 'synced', detail });
    });
  }
}
