/**
 * The settle pass on the in-memory stores: each case it settles, the ones it leaves alone, and
 * the invariant it restores after registrations whose outcome their requests could not know.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { REGISTRATION_GRACE_SECONDS, registrationFiles } from '../../lambdas/lib/domain/registration.ts';
import type { WorksetRecord } from '../../lambdas/lib/domain/workset.ts';
import { NotFoundError, OutcomeUnknownError, StorageUnavailableError, UpstreamError } from '../../lambdas/lib/errors.ts';
import { registerWorkset } from '../../lambdas/lib/flows/registration/register-workset.ts';
import { settleRegistrations, settleWorkset } from '../../lambdas/lib/flows/registration/settle-registration.ts';
import { CONTROL_BUCKET, failing, inMemory, lostReplies, registrationRequest, type InMemoryWorld } from '../support/in-memory.ts';

const SAMPLES = [
  { sample_id: 'S1', r1_file: 's3://lab-data/S1_R1.fastq.gz', r2_file: 's3://lab-data/S1_R2.fastq.gz' },
  { sample_id: 'S2', r1_file: 's3://lab-data/S2_R1.fastq.gz' },
];
const ALL_FILES = ['daylily.ready', 'daylily_info.yaml', 'daylily_work.yaml', 'sample_data/.keep', 'stage_samples.tsv'];
const ACTOR = 'operator:test';

const folderOf = (worksetId: string) => `${DEFAULT_CONTROL_PREFIX}${worksetId}/`;
const command = (idempotencyKey?: string, body: Record<string, unknown> = { samples: SAMPLES }) => ({
  customerId: 'lab-1',
  actor: 'lab-1',
  request: registrationRequest(body),
  ...(idempotencyKey ? { idempotencyKey } : {}),
});
const unavailable = () => new StorageUnavailableError();
const settle = (world: InMemoryWorld, worksetId: string, options: { olderThanSeconds?: number; dryRun?: boolean } = {}) =>
  settleWorkset(world.settle, worksetId, { actor: ACTOR, ...options });
const pastGrace = (world: InMemoryWorld) => world.advance(REGISTRATION_GRACE_SECONDS + 1);

/**
 * A registration whose flip's reply was lost and whose record could not be read back: the
 * request answered "outcome unknown" and left a `registering` record with every file and
 * daylily.ready — what an S3-only monitor would run.
 */
async function phantom(world: InMemoryWorld, key?: string): Promise<string> {
  world.worksets.fail = failing((operation) => operation === 'completeRegistration' || operation === 'getWorkset', { error: unavailable });
  const error = await registerWorkset(world.registration, command(key)).catch((caught: unknown) => caught);
  world.worksets.fail = undefined;
  expect(error).toBeInstanceOf(OutcomeUnknownError);
  const { worksetId } = (error as OutcomeUnknownError).workset;
  expect(await world.record(worksetId)).toMatchObject({ state: 'registering' });
  expect(world.files(folderOf(worksetId))).toEqual(ALL_FILES);
  return worksetId;
}

/** What the issue counts: folders whose daylily.ready the record does not back, and ready records missing files. */
async function invariantBreaches(world: InMemoryWorld) {
  const keys = world.bucket.keys(CONTROL_BUCKET, DEFAULT_CONTROL_PREFIX);
  const folders = [...new Set(keys.map((key) => key.slice(DEFAULT_CONTROL_PREFIX.length).split('/')[0]!))];
  const unbacked: string[] = [];
  for (const id of folders) {
    if (keys.includes(`${folderOf(id)}daylily.ready`) && (await world.record(id))?.state !== 'ready') unbacked.push(id);
  }
  const incomplete: string[] = [];
  for (const record of (await world.worksets.listWorksets({ state: 'ready', limit: 100 })).items) {
    const needed = [...registrationFiles(record.sample_count), 'daylily.ready'];
    if (needed.some((name) => !keys.includes(`${record.control_prefix}${name}`))) incomplete.push(record.workset_id);
  }
  return { unbacked, incomplete };
}

describe('settling a registering record, keyed', () => {
  it('completes one whose every file is there: ready, daylily.ready kept, and the same-key retry replays the answer', async () => {
    const world = inMemory();
    const id = await phantom(world, 'key-1');
    pastGrace(world);

    expect(await settle(world, id)).toEqual({ workset_id: id, state: 'registering', action: 'completed' });

    const record = await world.record(id);
    expect(record).toMatchObject({ state: 'ready', version: 1 });
    expect(record?.state_history.at(-1)).toMatchObject({ from: 'registering', to: 'ready', actor: ACTOR });
    expect(world.files(folderOf(id))).toEqual(ALL_FILES);
    expect((await world.worksets.queueStats()).queue_depth).toMatchObject({ registering: 0, ready: 1 });
    const retried = await registerWorkset(world.registration, command('key-1'));
    expect(retried).toMatchObject({ replayed: true, workset: { workset_id: id, state: 'ready' } });
    expect(JSON.stringify(retried.workset)).toBe(JSON.stringify((await world.worksets.getIdempotencyRecord('lab-1#key-1'))?.answer));
  });

  it('completes one whose files are there but whose daylily.ready is not, writing daylily.ready first', async () => {
    const world = inMemory();
    world.bucket.fail = failing((operation, input) => operation === 'put' && input.object.key.endsWith('/daylily.ready'), { error: unavailable });
    await expect(registerWorkset(world.registration, command('key-1'))).rejects.toBeInstanceOf(UpstreamError);
    world.bucket.fail = undefined;
    const id = 'batch-00000001';
    expect(world.files(folderOf(id))).not.toContain('daylily.ready');
    pastGrace(world);

    expect((await settle(world, id)).action).toBe('completed');
    expect(await world.record(id)).toMatchObject({ state: 'ready' });
    expect(world.files(folderOf(id))).toEqual(ALL_FILES);
  });

  it('withdraws daylily.ready (fenced) from one missing a file, and leaves it for the same-key retry', async () => {
    const world = inMemory();
    const id = await phantom(world, 'key-1');
    world.bucket.seedObject(CONTROL_BUCKET, { key: `${folderOf(id)}x`, body: '', contentType: 'text/plain' });
    await world.bucket.delete(CONTROL_BUCKET, [`${folderOf(id)}stage_samples.tsv`]);
    pastGrace(world);

    expect(await settle(world, id)).toEqual({ workset_id: id, state: 'registering', action: 'withdrawn', missing_files: ['stage_samples.tsv'] });
    expect(world.files(folderOf(id))).not.toContain('daylily.ready');
    expect(await world.record(id)).toMatchObject({ state: 'registering', ready_withdrawals: 1 });

    const retried = await registerWorkset(world.registration, command('key-1'));
    expect(retried.workset).toMatchObject({ workset_id: id, state: 'ready' });
    expect(world.files(folderOf(id))).toEqual([...ALL_FILES, 'x']);
  });

  it('leaves one missing a file and without daylily.ready as it is: only its client can complete it', async () => {
    const world = inMemory();
    world.bucket.fail = failing((operation, input) => operation === 'put' && input.object.key.endsWith('/stage_samples.tsv'), { error: unavailable });
    await expect(registerWorkset(world.registration, command('key-1'))).rejects.toBeInstanceOf(UpstreamError);
    world.bucket.fail = undefined;
    const id = 'batch-00000001';
    const before = await world.record(id);
    pastGrace(world);

    expect(await settle(world, id)).toEqual({ workset_id: id, state: 'registering', action: 'awaiting-retry', missing_files: ['stage_samples.tsv'] });
    expect(await world.record(id)).toEqual(before);
  });

  it('treats a record that does not say how it was registered as keyed: never rolled back on a guess', async () => {
    const world = inMemory();
    const id = await phantom(world, 'key-1');
    const { registration: _dropped, ...legacy } = (await world.record(id))!;
    world.worksets.seedWorkset(legacy as WorksetRecord);
    pastGrace(world);

    expect((await settle(world, id)).action).toBe('completed');
    expect(await world.record(id)).toMatchObject({ state: 'ready' });
  });
});

describe('settling a registering record, keyless', () => {
  it('rolls back one with every file and daylily.ready: daylily.ready, the record, then its files', async () => {
    const world = inMemory();
    const id = await phantom(world);
    pastGrace(world);

    expect(await settle(world, id)).toEqual({ workset_id: id, state: 'registering', action: 'rolled-back' });
    expect(await world.record(id)).toBeUndefined();
    expect(world.files(folderOf(id))).toEqual([]);
    expect((await world.worksets.queueStats()).total_worksets).toBe(0);
  });

  it('rolls back one whose first write\'s reply was lost (a record, no files)', async () => {
    const world = inMemory();
    lostReplies(world.worksets, 'beginRegistration', { error: unavailable });
    await expect(registerWorkset(world.registration, command())).rejects.toThrow(/nothing was queued/);
    const [stuck] = (await world.worksets.listWorksets({ state: 'registering', limit: 10 })).items;
    pastGrace(world);

    expect((await settle(world, stuck!.workset_id)).action).toBe('rolled-back');
    expect(await world.record(stuck!.workset_id)).toBeUndefined();
  });

  it('keeps the record when daylily.ready cannot be withdrawn: the next pass carries on', async () => {
    const world = inMemory();
    const id = await phantom(world);
    pastGrace(world);
    world.bucket.fail = failing((operation) => operation === 'delete', { times: 1, error: unavailable });

    await expect(settle(world, id)).rejects.toBeInstanceOf(UpstreamError);
    expect(await world.record(id)).toMatchObject({ state: 'registering' });

    expect((await settle(world, id)).action).toBe('rolled-back');
    expect(world.files(folderOf(id))).toEqual([]);
  });

  it('matches daylily.ready to what its customer did meanwhile instead of removing a record it no longer owns', async () => {
    const world = inMemory();
    const id = await phantom(world);
    pastGrace(world);
    // The customer soft-deletes it while the pass withdraws daylily.ready.
    const fence = world.worksets.fenceReadyWithdrawal.bind(world.worksets);
    world.worksets.fenceReadyWithdrawal = async (worksetId) => {
      world.worksets.seedWorkset({ ...(await world.record(worksetId))!, state: 'deleted', version: 1 });
      return fence(worksetId);
    };

    expect((await settle(world, id)).action).toBe('changed');
    expect(await world.record(id)).toMatchObject({ state: 'deleted' });
    expect(world.files(folderOf(id))).not.toContain('daylily.ready');
  });
});

describe('settling a ready record', () => {
  it('restores daylily.ready when every file is there', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'ready', createdAt: '2026-03-01T11:00:00.000Z' });
    await world.bucket.delete(CONTROL_BUCKET, [`${workset.control_prefix}daylily.ready`]);

    expect(await settle(world, workset.workset_id)).toEqual({ workset_id: workset.workset_id, state: 'ready', action: 'restored' });
    expect(world.sentinels(workset.control_prefix)).toEqual(['daylily.ready']);
  });

  it('only reports one missing a registration file: nothing can rewrite it', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'ready', createdAt: '2026-03-01T11:00:00.000Z', files: ['daylily_work.yaml', 'stage_samples.tsv', 'sample_data/.keep'] });
    await world.bucket.delete(CONTROL_BUCKET, [`${workset.control_prefix}daylily.ready`]);

    expect(await settle(world, workset.workset_id)).toEqual({ workset_id: workset.workset_id, state: 'ready', action: 'files-missing', missing_files: ['daylily_info.yaml'] });
    expect(world.sentinels(workset.control_prefix)).toEqual([]);
  });

  it('leaves one in order alone', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'ready', createdAt: '2026-03-01T11:00:00.000Z' });
    expect((await settle(world, workset.workset_id)).action).toBe('in-order');
  });
});

describe('what the settle pass leaves alone', () => {
  it('a record younger than the grace period (a request may still be at work on it), unless told a shorter one', async () => {
    const world = inMemory();
    const id = await phantom(world);
    world.advance(REGISTRATION_GRACE_SECONDS - 1);
    expect((await settle(world, id)).action).toBe('too-recent');
    expect(world.files(folderOf(id))).toEqual(ALL_FILES);
    expect((await settle(world, id, { olderThanSeconds: 0 })).action).toBe('rolled-back');
  });

  it('a record in another state, and a missing one is not found', async () => {
    const world = inMemory();
    const workset = world.seed({ state: 'in_progress', createdAt: '2026-03-01T11:00:00.000Z' });
    expect((await settle(world, workset.workset_id)).action).toBe('not-applicable');
    await expect(settle(world, 'ws-nobody')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('everything, in a dry run: it says what it would do', async () => {
    const world = inMemory();
    const id = await phantom(world);
    pastGrace(world);
    const before = await world.record(id);
    expect((await settle(world, id, { dryRun: true })).action).toBe('rolled-back');
    expect(await world.record(id)).toEqual(before);
    expect(world.files(folderOf(id))).toEqual(ALL_FILES);
  });
});

describe('the settle pass over every registering record', () => {
  it('after registrations whose outcome was unknown, one pass leaves no unbacked daylily.ready and no ready record missing files', async () => {
    const world = inMemory();
    const keyed = await phantom(world, 'key-1');
    const keyless = await phantom(world);
    const ready = await registerWorkset(world.registration, command('key-2'));
    expect(await invariantBreaches(world)).toEqual({ unbacked: [keyed, keyless], incomplete: [] });
    pastGrace(world);

    const summary = await settleRegistrations(world.settle, { actor: ACTOR });

    expect(summary).toMatchObject({ dry_run: false, older_than_seconds: REGISTRATION_GRACE_SECONDS, counts: { completed: 1, 'rolled-back': 1 } });
    expect(summary.results.map((result) => [result.workset_id, result.action]).sort()).toEqual([
      [keyed, 'completed'],
      [keyless, 'rolled-back'],
    ]);
    expect(await invariantBreaches(world)).toEqual({ unbacked: [], incomplete: [] });
    expect(await world.record(ready.workset.workset_id)).toMatchObject({ state: 'ready' });
    expect((await registerWorkset(world.registration, command('key-1'))).workset).toMatchObject({ workset_id: keyed, state: 'ready' });
  });

  it('only takes records past the grace period, reports one it cannot settle, and goes on', async () => {
    const world = inMemory();
    const first = await phantom(world);
    const second = await phantom(world, 'key-1');
    pastGrace(world);
    const young = await phantom(world);
    world.bucket.fail = failing((operation, input) => operation === 'delete' && input.keys.some((key: string) => key.startsWith(folderOf(first))), { error: unavailable });

    const summary = await settleRegistrations(world.settle, { actor: ACTOR });

    expect(summary.counts).toEqual({ failed: 1, completed: 1 });
    expect(summary.results.find((result) => result.workset_id === first)).toMatchObject({ action: 'failed', detail: expect.stringMatching(/unavailable/) });
    expect(summary.results.map((result) => result.workset_id)).not.toContain(young);
    expect(await world.record(second)).toMatchObject({ state: 'ready' });
    expect(await world.record(young)).toMatchObject({ state: 'registering' });
  });

  it('two passes at once settle each record once and agree with each other', async () => {
    const world = inMemory();
    const keyed = await phantom(world, 'key-1');
    const keyless = await phantom(world);
    pastGrace(world);

    const [a, b] = await Promise.all([settleRegistrations(world.settle, { actor: ACTOR }), settleRegistrations(world.settle, { actor: ACTOR })]);

    const actions = [...a.results, ...b.results].filter((result) => result.workset_id === keyed).map((result) => result.action);
    expect(actions.filter((action) => action === 'completed')).toHaveLength(1);
    expect(await world.record(keyed)).toMatchObject({ state: 'ready' });
    expect(await world.record(keyless)).toBeUndefined();
    expect(await invariantBreaches(world)).toEqual({ unbacked: [], incomplete: [] });
    expect((await world.worksets.queueStats()).queue_depth).toMatchObject({ registering: 0, ready: 1 });
  });
});
