/** A customer's actions on the in-memory stores: cancel, retry, archive, restore, delete. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_PREFIX, DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import type { HardDeleteAnswer } from '../../lambdas/lib/domain/answers.ts';
import { ConflictError, NotConfiguredError, NotFoundError, StorageUnavailableError, UpstreamError } from '../../lambdas/lib/errors.ts';
import { archiveWorkset, restoreWorkset } from '../../lambdas/lib/flows/lifecycle/archive-restore.ts';
import { cancelWorkset, retryWorkset } from '../../lambdas/lib/flows/lifecycle/cancel-retry.ts';
import { deleteWorkset } from '../../lambdas/lib/flows/lifecycle/deletion.ts';
import { acquireLease } from '../../lambdas/lib/flows/lifecycle/leases.ts';
import { setState } from '../../lambdas/lib/flows/lifecycle/worker.ts';
import { CONTROL_BUCKET, failing, inMemory } from '../support/in-memory.ts';

const by = (worksetId: string, customerId = 'lab-1') => ({ customerId, worksetId, actor: customerId });
const FOLDER_FILES = ['daylily_info.yaml', 'daylily_work.yaml', 'sample_data/.keep', 'stage_samples.tsv'];

describe('cancel and retry', () => {
  it('cancels a ready workset: daylily.error says why, the record keeps the reason', async () => {
    const world = inMemory();
    const workset = world.seed();
    const canceled = await cancelWorkset(world.lifecycle, { ...by(workset.workset_id), reason: 'wrong samples' });
    expect(canceled).toMatchObject({ state: 'canceled', cancel_reason: 'wrong samples', canceled_at: '2026-03-01T12:00:00.000Z' });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.error']);
    expect(world.body(`${workset.control_prefix}daylily.error`)).toBe('2026-03-01T12:00:00.000Z\tcanceled: wrong samples');
  });

  it('another customer’s workset is not found; a finished one cannot be canceled', async () => {
    const world = inMemory();
    const workset = world.seed();
    await expect(cancelWorkset(world.lifecycle, by(workset.workset_id, 'lab-2'))).rejects.toBeInstanceOf(NotFoundError);
    const complete = world.seed({ state: 'complete' });
    const error = (await cancelWorkset(world.lifecycle, by(complete.workset_id)).catch((caught: unknown) => caught)) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.details).toMatchObject({ current_state: 'complete', requested_state: 'canceled', allowed_states: ['archived', 'deleted'] });
  });

  it('canceling a running workset keeps the lease; the worker’s next write is told it was canceled', async () => {
    const world = inMemory();
    const workset = world.seed();
    const { workset: granted } = await acquireLease(world.lifecycle, { worksetId: workset.workset_id, owner: 'w' });
    const lease = { owner: 'w', epoch: granted.lease_epoch! };
    await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'in_progress', reason: 'started', actor: 'w', lease });
    expect(await cancelWorkset(world.lifecycle, by(workset.workset_id))).toMatchObject({ state: 'canceled', lock_owner: 'w' });

    const error = (await setState(world.lifecycle, { worksetId: workset.workset_id, state: 'complete', reason: 'done', actor: 'w', lease }).catch((caught: unknown) => caught)) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.details).toMatchObject({ current_state: 'canceled' });
  });

  it('retrying a failed workset starts a new run: fresh counters, failure fields gone, the old lease fenced off', async () => {
    const world = inMemory();
    const workset = world.seed({
      state: 'failed',
      extra: { retry_count: 3, error_details: 'boom', error_category: 'data', failed_step: 'align', lock_owner: 'w', lease_epoch: 4, lease_expires_at: '2026-03-01T13:00:00.000Z' },
    });
    const retried = await retryWorkset(world.lifecycle, by(workset.workset_id));
    expect(retried).toMatchObject({ state: 'ready', retry_count: 0, error_details: null, error_category: null, failed_step: null, lock_owner: null, lease_epoch: 5 });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.ready']);
  });
});

describe('archive and restore', () => {
  it('archive moves the whole folder under the archive prefix, with the record pointing there', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'complete' });
    const archived = await archiveWorkset(world.lifecycle, by(workset.workset_id));
    const archive = `${DEFAULT_ARCHIVE_PREFIX}${workset.workset_id}/`;

    expect(archived).toMatchObject({ state: 'archived', archived_from: 'complete', control_folder: `s3://${CONTROL_BUCKET}/${archive}`, export_uri: `s3://${CONTROL_BUCKET}/${archive}results/` });
    expect(archived.leftover_folder).toBeUndefined();
    expect(world.files(archive)).toEqual(['daylily.complete', ...FOLDER_FILES]);
    expect(world.files(workset.control_prefix)).toEqual([]);
    expect(await world.record(workset.workset_id)).toMatchObject({ active_prefix: workset.control_prefix, control_prefix: archive });
    expect((await world.record(workset.workset_id))?.move_claim).toBeUndefined();
  });

  it('restore moves it back to where it came from, in the state it was archived from', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'complete' });
    await archiveWorkset(world.lifecycle, by(workset.workset_id));
    world.advance(60);
    const restored = await restoreWorkset(world.lifecycle, by(workset.workset_id));
    expect(restored).toMatchObject({ state: 'complete', archived_from: null, control_folder: `s3://${CONTROL_BUCKET}/${DEFAULT_CONTROL_PREFIX}${workset.workset_id}/` });
    expect(world.files(workset.control_prefix)).toEqual(['daylily.complete', ...FOLDER_FILES]);
    expect(world.bucket.keys(CONTROL_BUCKET, DEFAULT_ARCHIVE_PREFIX)).toEqual([]);
  });

  it('a copy that fails part-way answers UpstreamError, removes its partial copy and releases its claim; a retry succeeds', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'failed' });
    world.bucket.fail = failing((operation, input) => operation === 'copy' && input.toKey.endsWith('/stage_samples.tsv'), { times: 1, error: () => new StorageUnavailableError() });

    await expect(archiveWorkset(world.lifecycle, by(workset.workset_id))).rejects.toBeInstanceOf(UpstreamError);
    expect(world.bucket.keys(CONTROL_BUCKET, DEFAULT_ARCHIVE_PREFIX)).toEqual([]);
    expect(await world.record(workset.workset_id)).toEqual(workset);

    expect(await archiveWorkset(world.lifecycle, by(workset.workset_id))).toMatchObject({ state: 'archived', archived_from: 'failed' });
  });

  it('refuses while another request’s move claim is live, an unarchivable state, and an unconfigured archive', async () => {
    const world = inMemory();
    const claimed = world.seed({ state: 'complete', extra: { move_claim: { to: 'x/', token: 'other', expires_at: '2026-03-01T12:10:00.000Z' } } });
    await expect(archiveWorkset(world.lifecycle, by(claimed.workset_id))).rejects.toThrow(/being moved by another request/);
    world.advance(600);
    expect((await archiveWorkset(world.lifecycle, by(claimed.workset_id))).state).toBe('archived');

    const running = world.seed({ state: 'in_progress' });
    await expect(archiveWorkset(world.lifecycle, by(running.workset_id))).rejects.toBeInstanceOf(ConflictError);
    const unconfigured = { ...world.lifecycle, archivePrefix: { ok: false as const, problem: 'no archive prefix' } };
    await expect(archiveWorkset(unconfigured, by(world.seed({ state: 'complete' }).workset_id))).rejects.toBeInstanceOf(NotConfiguredError);
  });
});

describe('delete', () => {
  it('a soft delete is the state deleted with daylily.ignore; the files stay', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'complete' });
    const deleted = await deleteWorkset(world.lifecycle, { ...by(workset.workset_id), hardDelete: false });
    expect(deleted).toMatchObject({ state: 'deleted', deleted_at: '2026-03-01T12:00:00.000Z' });
    expect(world.files(workset.control_prefix)).toEqual(['daylily.ignore', ...FOLDER_FILES]);
    expect((await world.worksets.queueStats()).queue_depth).toMatchObject({ complete: 0, deleted: 1 });
    await expect(deleteWorkset(world.lifecycle, { ...by(workset.workset_id), hardDelete: false })).rejects.toBeInstanceOf(ConflictError);
  });

  it('a hard delete removes the folder and then the record and its count', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'canceled' });
    const neighbour = world.seed({ worksetId: `${workset.workset_id}0` });
    const answer = (await deleteWorkset(world.lifecycle, { ...by(workset.workset_id), hardDelete: true })) as HardDeleteAnswer;
    expect(answer).toEqual({ workset_id: workset.workset_id, hard_delete: true, deleted: true, objects_deleted: 5 });
    expect(world.files(workset.control_prefix)).toEqual([]);
    expect(world.files(neighbour.control_prefix)).toHaveLength(5);
    expect(await world.record(workset.workset_id)).toBeUndefined();
    expect((await world.worksets.queueStats()).total_worksets).toBe(1);
  });

  it('a hard delete whose removal fails leaves a soft-deleted workset; repeating it finishes', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'complete' });
    // Every attempt at removing the folder's files (the sentinel sync before it goes through).
    world.bucket.fail = failing((operation, input) => operation === 'delete' && input.keys.some((key: string) => key.endsWith('/daylily_work.yaml')), { times: 3 });
    await expect(deleteWorkset(world.lifecycle, { ...by(workset.workset_id), hardDelete: true })).rejects.toBeInstanceOf(UpstreamError);
    expect(await world.record(workset.workset_id)).toMatchObject({ state: 'deleted' });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.ignore']);

    expect(await deleteWorkset(world.lifecycle, { ...by(workset.workset_id), hardDelete: true })).toMatchObject({ deleted: true });
    expect(await world.record(workset.workset_id)).toBeUndefined();
  });

  it('a running workset cannot be deleted', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'in_progress' });
    await expect(deleteWorkset(world.lifecycle, { ...by(workset.workset_id), hardDelete: true })).rejects.toBeInstanceOf(ConflictError);
    expect(world.files(workset.control_prefix)).toHaveLength(5);
  });
});
