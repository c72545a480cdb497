import { describe, expect, it } from 'vitest';
import {
  allowedTargets,
  ARCHIVABLE_STATES,
  backoffSeconds,
  boundedHistory,
  decideFailure,
  describeForbidden,
  historyEntryId,
  isLockable,
  restoreTarget,
  TRANSITIONS,
} from '../../lambdas/lib/domain/lifecycle.ts';
import { COUNTER_SHARD_IDS, moveDelta, sumShards } from '../../lambdas/lib/domain/queue-counters.ts';
import { expectedReading, monitorReading, planForRecord, planForState, STATE_SENTINELS } from '../../lambdas/lib/domain/sentinel-rules.ts';
import { INLINE_HISTORY_LIMIT, WORKSET_STATES, type WorksetRecord } from '../../lambdas/lib/domain/workset.ts';
import { WORKSET_ID_PATTERN } from '../../lambdas/lib/domain/workset-id.ts';

const record = (fields: Partial<WorksetRecord>): WorksetRecord => ({ workset_id: 'w-00000000', state: 'ready', ...fields }) as WorksetRecord;

describe('the transition table', () => {
  it('has a row for every state and names only known states', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...WORKSET_STATES].sort());
    for (const targets of Object.values(TRANSITIONS)) {
      for (const to of Object.keys(targets)) expect(WORKSET_STATES).toContain(to);
    }
  });

  it('never allows a self-transition, a way back into registering, or anything out of deleted', () => {
    for (const from of WORKSET_STATES) {
      expect(allowedTargets(from)).not.toContain(from);
      expect(allowedTargets(from)).not.toContain('registering');
    }
    expect(allowedTargets('deleted')).toEqual([]);
  });

  it('lets a registration that never completed be deleted, and nothing else but complete it', () => {
    expect(allowedTargets('registering')).toEqual(['ready', 'deleted']);
    expect(allowedTargets('registering', 'delete')).toEqual(['deleted']);
    expect(allowedTargets('registering', 'registration')).toEqual(['ready']);
  });

  it('archives only finished worksets and refuses to delete a running one', () => {
    const archivable = WORKSET_STATES.filter((from) => allowedTargets(from, 'archive').includes('archived'));
    expect(archivable.sort()).toEqual([...ARCHIVABLE_STATES].sort());
    expect(allowedTargets('in_progress', 'delete')).toEqual([]);
  });

  it('describes a forbidden move with the current state and the allowed targets', () => {
    expect(describeForbidden('complete', 'ready').details).toEqual({ current_state: 'complete', requested_state: 'ready', allowed_states: ['archived', 'deleted'] });
    expect(describeForbidden('in_progress', 'deleted', ['delete']).message).toMatch(/Nothing can move an? in_progress workset this way/);
  });

  it('restores to the archived-from state, error and failed to ready', () => {
    expect(restoreTarget('complete')).toBe('complete');
    expect(restoreTarget('canceled')).toBe('canceled');
    expect(restoreTarget('ignored')).toBe('ignored');
    expect(restoreTarget('error')).toBe('ready');
    expect(restoreTarget('failed')).toBe('ready');
    expect(restoreTarget(undefined)).toBe('ready');
  });
});

describe('retries', () => {
  it('backs off 2 s, 4 s, 8 s … capped at an hour, always an integer', () => {
    expect([0, 1, 2, 3, 10, 11, 12, 1000].map(backoffSeconds)).toEqual([2, 4, 8, 16, 2048, 3600, 3600, 3600]);
  });

  it('retries transient and resource errors while retry_count < max_retries, else fails', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(decideFailure({}, 'transient', now)).toMatchObject({ to: 'retrying', retryCount: 1, maxRetries: 3, retryAfter: '2026-01-01T00:00:02.000Z' });
    expect(decideFailure({ retry_count: 2 }, 'resource', now)).toMatchObject({ to: 'retrying', retryCount: 3, retryAfter: '2026-01-01T00:00:08.000Z' });
    expect(decideFailure({ retry_count: 3 }, 'transient', now)).toMatchObject({ to: 'failed', retryCount: 4 });
    for (const category of ['configuration', 'data', 'permanent'] as const) expect(decideFailure({}, category, now).to).toBe('failed');
    expect(decideFailure({ retry_count: 4, max_retries: 5 }, 'transient', now).to).toBe('retrying');
  });

  it('leases a retrying workset only once its backoff has passed', () => {
    const now = new Date('2026-01-01T00:00:10.000Z');
    expect(isLockable(record({ state: 'retrying', retry_after: '2026-01-01T00:00:09.999Z' }), now)).toBe(true);
    expect(isLockable(record({ state: 'retrying', retry_after: '2026-01-01T00:00:10.001Z' }), now)).toBe(false);
    expect(isLockable(record({ state: 'in_progress' }), now)).toBe(false);
  });
});

describe('history', () => {
  it('keeps the latest entries inline', () => {
    let history: ReturnType<typeof boundedHistory> = [];
    for (let i = 0; i < 30; i += 1) history = boundedHistory(history, { from: 'ready', to: 'canceled', reason: String(i), actor: 'a', at: 'x' });
    expect(history).toHaveLength(INLINE_HISTORY_LIMIT);
    expect(history[0]!.reason).toBe('10');
    expect(history.at(-1)!.reason).toBe('29');
  });

  it('numbers history entries so they sort in order', () => {
    expect([historyEntryId(10), historyEntryId(9), historyEntryId(100)].sort()).toEqual([historyEntryId(9), historyEntryId(10), historyEntryId(100)]);
  });
});

describe('sentinel rules', () => {
  it('every state’s plan leaves the folder reading exactly that state', () => {
    for (const state of WORKSET_STATES) {
      const plan = planForState(record({ state, archived_from: 'complete' }), 'T', 'why');
      const present = new Set<string>(STATE_SENTINELS);
      for (const name of plan.delete) present.delete(name);
      for (const put of plan.put) present.add(put.name);
      expect(monitorReading(present), state).toBe(expectedReading(record({ state, archived_from: 'complete' })));
    }
  });

  it('writes the documented bodies: canceled is daylily.error with the reason, retrying has no state sentinel', () => {
    expect(planForState(record({ state: 'canceled', cancel_reason: 'wrong\tref' }), '2026-01-01T00:00:00.000Z', 'x').put).toEqual([
      { name: 'daylily.error', body: '2026-01-01T00:00:00.000Z\tcanceled: wrong ref' },
    ]);
    expect(planForState(record({ state: 'retrying' }), 'T', 'x').put).toEqual([]);
    expect(planForState(record({ state: 'ready' }), 'T', 'x').delete).toContain('daylily.lock');
    expect(planForState(record({ state: 'ready', lock_owner: 'w' }), 'T', 'x').delete).not.toContain('daylily.lock');
    expect(planForRecord(record({ state: 'in_progress', lock_owner: 'w', lease_epoch: 2 }), 'T', 'x').put.map((put) => put.name)).toEqual(['daylily.in_progress', 'daylily.lock']);
  });

  it('reads a folder with the monitor’s precedence', () => {
    expect(monitorReading(['daylily.ready', 'daylily.error'])).toBe('error');
    expect(monitorReading(['daylily.ready', 'daylily.lock'])).toBe('ready');
    expect(monitorReading(['daylily.lock'])).toBe('none');
  });
});

describe('queue counters', () => {
  it('sum shards into exact per-state counts, ignoring what is not an integer count', () => {
    const stats = sumShards([{ ready: 3, in_progress: -1, workset_id: '#queue-stats#00' }, { ready: -1, in_progress: 2, complete: 1.5 }, {}]);
    expect(stats.queue_depth).toMatchObject({ ready: 2, in_progress: 1, complete: 0 });
    expect(stats.total_worksets).toBe(3);
    expect(moveDelta('ready', 'canceled')).toEqual({ ready: -1, canceled: 1 });
  });

  it('shard ids never collide with a workset id', () => {
    for (const id of COUNTER_SHARD_IDS) expect(WORKSET_ID_PATTERN.test(id)).toBe(false);
  });
});

describe('lifecycle settings', () => {
  it('read the archive prefix (normalised, never nested with the control prefix) and the default lease', async () => {
    const { resolveSettings, DEFAULT_ARCHIVE_PREFIX } = await import('../../lambdas/lib/config/settings.ts');
    const base = { DAYLILY_CONTROL_BUCKET: 'control-bucket' };
    expect(resolveSettings({}, base)).toMatchObject({ archivePrefix: { ok: true, prefix: DEFAULT_ARCHIVE_PREFIX }, defaultLeaseSeconds: 3600 });
    expect(resolveSettings({}, { ...base, DAYLILY_ARCHIVE_PREFIX: '/old/runs' }).archivePrefix).toEqual({ ok: true, prefix: 'old/runs/' });
    expect(resolveSettings({}, { ...base, DAYLILY_ARCHIVE_PREFIX: 'daylily_monitoring/active_worksets/archive' }).archivePrefix.ok).toBe(false);
    expect(resolveSettings({}, { ...base, DAYLILY_LEASE_SECONDS: '900' }).defaultLeaseSeconds).toBe(900);
    expect(resolveSettings({}, { ...base, DAYLILY_LEASE_SECONDS: 'soon' }).defaultLeaseSeconds).toBe(3600);
  });
});
