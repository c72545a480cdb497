import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { call } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('leases');
const { seed, record, sentinels, monitorAgrees } = worksetFixtures(aws);

const lock = (worksetId: string, body: Record<string, unknown>) => call('AcquireLease', { path: { workset_id: worksetId }, body });
const refresh = (worksetId: string, body: Record<string, unknown>) => call('RefreshLease', { path: { workset_id: worksetId }, body });
const release = (worksetId: string, query: Record<string, string>) => call('ReleaseLease', { path: { workset_id: worksetId }, query });
const setState = (worksetId: string, body: Record<string, unknown>) => call('SetWorksetState', { path: { workset_id: worksetId }, body });

/** Moves the lease's expiry into the past, as if its holder had paused beyond it. */
async function expireLease(worksetId: string) {
  await aws.ddb.send(
    new UpdateCommand({
      TableName: aws.tables.worksets,
      Key: { workset_id: worksetId },
      UpdateExpression: 'SET #e = :past',
      ExpressionAttributeNames: { '#e': 'lease_expires_at' },
      ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
    }),
  );
}

describe('leases', () => {
  it('grants a ready workset with epoch 1, writes daylily.lock after DynamoDB, and answers the lease fields', async () => {
    const workset = await seed();
    const response = await lock(workset.workset_id, { owner_id: 'worker-a', lease_seconds: 600 });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ state: 'ready', lock_owner: 'worker-a', lease_epoch: 1, granted: true });
    const expires = Date.parse(response.json.lease_expires_at);
    expect(expires - Date.now()).toBeGreaterThan(590_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(600_000);
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.lock', 'daylily.ready']);
    expect(await aws.getText(`${workset.control_prefix}daylily.lock`)).toMatch(/\tLocked by worker-a \(lease_epoch 1\)$/);
  });

  it('accepts owner_id in the query string and defaults the lease to an hour', async () => {
    const workset = await seed();
    const response = await call('AcquireLease', { path: { workset_id: workset.workset_id }, query: { owner_id: 'worker-q' } });
    expect(response.status).toBe(200);
    expect(Date.parse(response.json.lease_expires_at) - Date.now()).toBeGreaterThan(3590_000);
  });

  it('50 concurrent acquires of one workset: exactly one winner, everyone else 409', async () => {
    const workset = await seed();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => lock(workset.workset_id, { owner_id: `worker-${i}` })));
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(49);
    expect(await record(workset.workset_id)).toMatchObject({ lock_owner: winners[0]!.json.lock_owner, lease_epoch: 1 });
  });

  it('the owner re-acquiring its live lease is idempotent: same epoch, extended', async () => {
    const workset = await seed();
    const first = await lock(workset.workset_id, { owner_id: 'worker-a', lease_seconds: 60 });
    const again = await lock(workset.workset_id, { owner_id: 'worker-a', lease_seconds: 120 });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ lock_owner: 'worker-a', lease_epoch: first.json.lease_epoch, granted: false });
    expect(again.json.lease_expires_at > first.json.lease_expires_at).toBe(true);
  });

  it('another owner is refused while the lease is live (409 naming the holder), and takes over once it expired', async () => {
    const workset = await seed();
    await lock(workset.workset_id, { owner_id: 'worker-a' });
    const refused = await lock(workset.workset_id, { owner_id: 'worker-b' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ current_state: 'ready', lock_owner: 'worker-a', lease_epoch: 1 });

    await expireLease(workset.workset_id);
    const takeover = await lock(workset.workset_id, { owner_id: 'worker-b' });
    expect(takeover.status).toBe(200);
    expect(takeover.json).toMatchObject({ lock_owner: 'worker-b', lease_epoch: 2, granted: true });
    expect(await aws.getText(`${workset.control_prefix}daylily.lock`)).toMatch(/worker-b \(lease_epoch 2\)/);
  });

  it('a lease that really expires (1 s) can be taken over', async () => {
    const workset = await seed();
    await lock(workset.workset_id, { owner_id: 'worker-a', lease_seconds: 1 });
    expect((await lock(workset.workset_id, { owner_id: 'worker-b' })).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await lock(workset.workset_id, { owner_id: 'worker-b' })).json).toMatchObject({ lock_owner: 'worker-b', lease_epoch: 2 });
  });

  it('a worker that paused past its lease is fenced off: its stale lease_epoch is rejected with 409', async () => {
    const workset = await seed();
    const a = await lock(workset.workset_id, { owner_id: 'worker-a' });
    await expireLease(workset.workset_id);
    // worker-a comes back under the same name after someone else's grant (epoch 2) …
    await lock(workset.workset_id, { owner_id: 'worker-b' });
    await release(workset.workset_id, { owner_id: 'worker-b' });
    const b2 = await lock(workset.workset_id, { owner_id: 'worker-a' });
    expect(b2.json.lease_epoch).toBe(3);
    // … and its old process still holds epoch 1.
    const stale = await setState(workset.workset_id, { state: 'in_progress', reason: 'start', owner_id: 'worker-a', lease_epoch: a.json.lease_epoch });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ current_state: 'ready', lease_epoch: 3 });
    expect((await record(workset.workset_id))!.state).toBe('ready');

    const fresh = await setState(workset.workset_id, { state: 'in_progress', reason: 'start', owner_id: 'worker-a', lease_epoch: 3 });
    expect(fresh.status).toBe(200);
    expect(fresh.json).toMatchObject({ state: 'in_progress', lock_owner: 'worker-a', lease_epoch: 3 });
  });

  it('release by the owner clears the lease and daylily.lock and never changes the state, in any state', async () => {
    const workset = await seed();
    const granted = await lock(workset.workset_id, { owner_id: 'worker-a' });
    await setState(workset.workset_id, { state: 'in_progress', reason: 'start', owner_id: 'worker-a', lease_epoch: granted.json.lease_epoch });

    const released = await release(workset.workset_id, { owner_id: 'worker-a' });
    expect(released.status).toBe(200);
    expect(released.json).toMatchObject({ state: 'in_progress', lock_owner: null, lease_expires_at: null, released: true, lease_epoch: 1 });
    const stored = (await record(workset.workset_id))!;
    expect(stored.state).toBe('in_progress');
    expect(stored.lock_owner).toBeUndefined();
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.in_progress']);
  });

  it('release by another owner is 409, of a missing workset 404, of an unheld lease a no-op', async () => {
    const workset = await seed();
    await lock(workset.workset_id, { owner_id: 'worker-a' });
    const wrong = await release(workset.workset_id, { owner_id: 'worker-b' });
    expect(wrong.status).toBe(409);
    expect(wrong.json).toMatchObject({ lock_owner: 'worker-a' });
    expect((await record(workset.workset_id))!.lock_owner).toBe('worker-a');

    expect((await release('nope-00000000', { owner_id: 'worker-a' })).status).toBe(404);
    expect((await lock('nope-00000000', { owner_id: 'worker-a' })).status).toBe(404);
    expect((await refresh('nope-00000000', { owner_id: 'worker-a', lease_epoch: 1 })).status).toBe(404);

    const unheld = await seed();
    const noop = await release(unheld.workset_id, { owner_id: 'worker-a' });
    expect(noop.status).toBe(200);
    expect(noop.json).toMatchObject({ released: false, state: 'ready' });
  });

  it('only ready (or retrying past its backoff) worksets can be leased', async () => {
    for (const state of ['in_progress', 'complete', 'error', 'failed', 'canceled', 'ignored', 'archived', 'deleted'] as const) {
      const workset = await seed({ state, files: false });
      const response = await lock(workset.workset_id, { owner_id: 'worker-a' });
      expect(response.status, state).toBe(409);
      expect(response.json.current_state).toBe(state);
    }
    const waiting = await seed({ state: 'retrying', files: false, extra: { retry_after: new Date(Date.now() + 60_000).toISOString() } });
    expect((await lock(waiting.workset_id, { owner_id: 'worker-a' })).status).toBe(409);
    const due = await seed({ state: 'retrying', files: false, extra: { retry_after: new Date(Date.now() - 1).toISOString() } });
    expect((await lock(due.workset_id, { owner_id: 'worker-a' })).status).toBe(200);
  });

  it('the heartbeat extends the owner’s lease; a wrong owner or a stale epoch gets 409', async () => {
    const workset = await seed();
    const granted = await lock(workset.workset_id, { owner_id: 'worker-a', lease_seconds: 30 });
    const beat = await refresh(workset.workset_id, { owner_id: 'worker-a', lease_epoch: granted.json.lease_epoch, lease_seconds: 900 });
    expect(beat.status).toBe(200);
    expect(Date.parse(beat.json.lease_expires_at) - Date.now()).toBeGreaterThan(890_000);
    expect(beat.json).toMatchObject({ lock_owner: 'worker-a', lease_epoch: 1 });

    expect((await refresh(workset.workset_id, { owner_id: 'worker-b', lease_epoch: 1 })).status).toBe(409);
    expect((await refresh(workset.workset_id, { owner_id: 'worker-a', lease_epoch: 7 })).status).toBe(409);
  });

  it('a lease grant on a workset flagged sentinel_sync_pending repairs the whole folder before clearing the flag', async () => {
    const workset = await seed({ extra: { sentinel_sync_pending: { state: 'ready', lock: false, since: new Date().toISOString() } } });
    await aws.s3.send(new DeleteObjectCommand({ Bucket: aws.bucket, Key: `${workset.control_prefix}daylily.ready` }));
    expect((await lock(workset.workset_id, { owner_id: 'worker-a' })).status).toBe(200);
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.lock', 'daylily.ready']);
    expect((await record(workset.workset_id))!.sentinel_sync_pending).toBeUndefined();
  });

  it('a heartbeat must name its lease_epoch, and never revives a lease that expired', async () => {
    const workset = await seed();
    const granted = await lock(workset.workset_id, { owner_id: 'worker-a' });
    const bare = await refresh(workset.workset_id, { owner_id: 'worker-a' });
    expect(bare.status).toBe(400);
    expect(bare.json.errors.map((error: { field: string }) => error.field)).toEqual(['lease_epoch']);

    await expireLease(workset.workset_id);
    // A restarted worker reusing its owner id must not extend a lease it may no longer hold.
    const late = await refresh(workset.workset_id, { owner_id: 'worker-a', lease_epoch: granted.json.lease_epoch, lease_seconds: 900 });
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ current_state: 'ready', lock_owner: 'worker-a', lease_epoch: 1 });
    expect((await record(workset.workset_id))!.lease_expires_at! < new Date().toISOString()).toBe(true);
    expect((await lock(workset.workset_id, { owner_id: 'worker-b' })).json).toMatchObject({ lock_owner: 'worker-b', lease_epoch: 2 });
  });

  it('a canceled workset answers its lease holder’s next heartbeat and write with 409 and state canceled', async () => {
    const customerId = 'lab-cancel';
    const workset = await seed({ customerId });
    const granted = await lock(workset.workset_id, { owner_id: 'worker-a' });
    const lease = { owner_id: 'worker-a', lease_epoch: granted.json.lease_epoch };
    await setState(workset.workset_id, { state: 'in_progress', reason: 'start', ...lease });

    const canceled = await call('CancelWorkset', { path: { customer_id: customerId, workset_id: workset.workset_id }, body: { reason: 'wrong reference' } });
    expect(canceled.status).toBe(200);
    expect(canceled.json).toMatchObject({ state: 'canceled', lock_owner: 'worker-a', cancel_reason: 'wrong reference' });

    const beat = await refresh(workset.workset_id, lease);
    expect(beat.status).toBe(409);
    expect(beat.json.current_state).toBe('canceled');
    const progress = await call('RecordProgress', { path: { workset_id: workset.workset_id }, body: { ...lease, current_step: 'align' } });
    expect(progress.status).toBe(409);
    expect(progress.json.current_state).toBe('canceled');
    const complete = await setState(workset.workset_id, { state: 'complete', reason: 'done', ...lease });
    expect(complete.status).toBe(409);
    expect(complete.json.current_state).toBe('canceled');

    // It stops and releases; the cancellation stays.
    expect((await release(workset.workset_id, { owner_id: 'worker-a' })).json).toMatchObject({ state: 'canceled', released: true });
    expect(await monitorAgrees(workset.workset_id)).toEqual({ actual: 'error', expected: 'error', lock: false, leased: false });
    expect(await aws.getText(`${workset.control_prefix}daylily.error`)).toMatch(/^\d{4}-.*Z\tcanceled: wrong reference$/);
  });

  it('a worker can still release its lease after the customer canceled and archived the workset: daylily.lock leaves the archived folder', async () => {
    const workset = await seed({ state: 'ready', customerId: 'lab-l' });
    const granted = await lock(workset.workset_id, { owner_id: 'w-arch' });
    expect((await setState(workset.workset_id, { state: 'in_progress', reason: 'go', owner_id: 'w-arch', lease_epoch: granted.json.lease_epoch })).status).toBe(200);
    const customerPath = { customer_id: 'lab-l', workset_id: workset.workset_id };
    expect((await call('CancelWorkset', { path: customerPath })).status).toBe(200);
    const archived = await call('ArchiveWorkset', { path: customerPath });
    expect(archived.status).toBe(200);
    const archivedFolder = `${DEFAULT_ARCHIVE_PREFIX}${workset.workset_id}/`;
    expect(await aws.listKeys(archivedFolder)).toContain(`${archivedFolder}daylily.lock`);

    const released = await release(workset.workset_id, { owner_id: 'w-arch' });
    expect(released.status).toBe(200);
    expect(released.json).toMatchObject({ state: 'archived', lock_owner: null, sentinels: { in_sync: true } });
    expect(await aws.listKeys(archivedFolder)).not.toContain(`${archivedFolder}daylily.lock`);
    expect((await record(workset.workset_id))?.sentinel_sync_pending).toBeUndefined();
  });

  it('answers 400 when the body and the query string name the owner differently, even as an object String() cannot print', async () => {
    const workset = await seed();
    for (const owner_id of [{ toString: 1 }, ['w-1'], 'w-2']) {
      const response = await call('ReleaseLease', { path: { workset_id: workset.workset_id }, query: { owner_id: 'w-1' }, body: { owner_id } });
      expect(response.status, JSON.stringify(owner_id)).toBe(400);
      expect(response.json.errors).toEqual([{ field: 'owner_id', message: 'differs between query string and body' }]);
    }
  });

  it('rejects a malformed owner id or lease duration with per-field 400s', async () => {
    const workset = await seed();
    const response = await lock(workset.workset_id, { owner_id: 'has space', lease_seconds: 0 });
    expect(response.status).toBe(400);
    expect(response.json.errors.map((error: { field: string }) => error.field).sort()).toEqual(['lease_seconds', 'owner_id']);
  });
});
