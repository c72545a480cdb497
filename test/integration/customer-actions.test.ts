/**
 * Customer actions and the control folder: archive/restore move exactly one folder, hard delete
 * removes exactly one folder, and a sentinel write that keeps failing never rolls DynamoDB back.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';
import { call } from '../support/api.ts';
import { failCall, holdCall } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { newId, worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('customer-actions');
const { seed, record, sentinels, monitorAgrees } = worksetFixtures(aws);
const CUSTOMER = 'lab-c';
const path = (worksetId: string, customerId = CUSTOMER) => ({ customer_id: customerId, workset_id: worksetId });
const archivedFolder = (worksetId: string) => `${DEFAULT_ARCHIVE_PREFIX}${worksetId}/`;
const FILES = ['daylily_info.yaml', 'daylily_work.yaml', 'results/out.vcf', 'sample_data/.keep', 'stage_samples.tsv'];
/** A move's state change: the only DynamoDB transaction an archive or restore makes. */
const stateWrite = (c: { command: string }) => c.command === 'TransactWriteCommand' || c.command === 'TransactWriteItemsCommand';

describe('archive and restore', () => {
  it('archiving `ab` moves exactly its folder; `abc` (a longer id with the same start) is untouched', async () => {
    const ab = await seed({ state: 'complete', customerId: CUSTOMER, worksetId: 'ab-0000000a', files: FILES });
    const abc = await seed({ state: 'ready', customerId: CUSTOMER, worksetId: 'ab-0000000a-0000000b', files: FILES });
    const abcBefore = await aws.listKeys(abc.control_prefix);

    const archived = await call('ArchiveWorkset', { path: path(ab.workset_id), body: { reason: 'done with it' } });
    expect(archived.status).toBe(200);
    expect(archived.json).toMatchObject({
      state: 'archived',
      archived_from: 'complete',
      control_folder: `s3://${aws.bucket}/${archivedFolder(ab.workset_id)}`,
      export_uri: `s3://${aws.bucket}/${archivedFolder(ab.workset_id)}results/`,
    });
    expect(await aws.listKeys(ab.control_prefix)).toEqual([]);
    expect((await aws.listKeys(archivedFolder(ab.workset_id))).map((key) => key.slice(archivedFolder(ab.workset_id).length))).toEqual(['daylily.complete', ...FILES]);
    expect(await aws.listKeys(abc.control_prefix)).toEqual(abcBefore);
    expect(await aws.listKeys(archivedFolder(abc.workset_id))).toEqual([]);
    expect(await record(abc.workset_id)).toMatchObject({ state: 'ready', control_prefix: abc.control_prefix });

    const restored = await call('RestoreWorkset', { path: path(ab.workset_id) });
    expect(restored.status).toBe(200);
    expect(restored.json).toMatchObject({ state: 'complete', archived_from: null, control_folder: `s3://${aws.bucket}/${ab.control_prefix}` });
    expect((await aws.listKeys(ab.control_prefix)).map((key) => key.slice(ab.control_prefix.length))).toEqual(['daylily.complete', ...FILES]);
    expect(await aws.listKeys(archivedFolder(ab.workset_id))).toEqual([]);
    expect(await aws.listKeys(abc.control_prefix)).toEqual(abcBefore);
  });

  it('restores an archived error as ready, with the error sentinel replaced by daylily.ready', async () => {
    const workset = await seed({ state: 'error', customerId: CUSTOMER, extra: { error_details: 'bad lane', retry_count: 2 } });
    expect((await call('ArchiveWorkset', { path: path(workset.workset_id) })).status).toBe(200);
    const restored = await call('RestoreWorkset', { path: path(workset.workset_id) });
    expect(restored.json).toMatchObject({ state: 'ready', retry_count: 0, error_details: null });
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.ready']);
    expect(await monitorAgrees(workset.workset_id)).toMatchObject({ actual: 'ready', expected: 'ready' });
  });

  it('refuses to archive an unfinished workset, and to restore one that is not archived', async () => {
    for (const state of ['ready', 'in_progress', 'retrying'] as const) {
      const workset = await seed({ state, customerId: CUSTOMER });
      const response = await call('ArchiveWorkset', { path: path(workset.workset_id) });
      expect(response.status, state).toBe(409);
      expect(response.json.current_state).toBe(state);
      expect(await aws.listKeys(archivedFolder(workset.workset_id))).toEqual([]);
    }
    const complete = await seed({ state: 'complete', customerId: CUSTOMER });
    expect((await call('RestoreWorkset', { path: path(complete.workset_id) })).status).toBe(409);
  });

  it('five concurrent archives of one workset: one moves it, the others answer 409, and every file is in the archive', async () => {
    const files = [...FILES, 'results/a.bam', 'results/b.bam', 'results/c.bam', 'logs/run.log'];
    const workset = await seed({ state: 'complete', customerId: CUSTOMER, files });
    const archive = archivedFolder(workset.workset_id);
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('ArchiveWorkset', { path: path(workset.workset_id) })));

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const answer of answers) {
      expect([200, 409], answer.text).toContain(answer.status);
      if (answer.status === 200) expect(answer.json.state).toBe('archived');
    }
    expect(await record(workset.workset_id)).toMatchObject({ version: 2, state: 'archived' });
    expect((await record(workset.workset_id))!.move_claim).toBeUndefined();
    expect((await aws.listKeys(archive)).map((key) => key.slice(archive.length))).toEqual(['daylily.complete', ...files].sort());
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
    expect(await monitorAgrees(workset.workset_id)).toMatchObject({ actual: 'complete', expected: 'complete' });
  });

  it('five concurrent restores of one workset: one moves it back, the others answer 409, and every file is in the active folder', async () => {
    const files = [...FILES, 'results/a.bam', 'results/b.bam', 'results/c.bam', 'logs/run.log'];
    const workset = await seed({ state: 'archived', customerId: CUSTOMER, files, extra: { archived_from: 'error', error_details: 'lane 3' } });
    const active = `${aws.controlPrefix}${workset.workset_id}/`;
    const answers = await Promise.all(Array.from({ length: 5 }, () => call('RestoreWorkset', { path: path(workset.workset_id) })));

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const answer of answers) {
      expect([200, 409], answer.text).toContain(answer.status);
      if (answer.status === 200) expect(answer.json.state).toBe('ready');
    }
    expect((await aws.listKeys(active)).map((key) => key.slice(active.length))).toEqual(['daylily.ready', ...files].sort());
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
    expect(await monitorAgrees(workset.workset_id)).toMatchObject({ actual: 'ready', expected: 'ready' });
  });

  it('refuses to restore a workset that does not know its active folder, and moves nothing', async () => {
    const workset = await seed({ state: 'archived', customerId: CUSTOMER, files: FILES, extra: { active_prefix: undefined } });
    const before = await aws.listKeys(workset.control_prefix);
    const response = await call('RestoreWorkset', { path: path(workset.workset_id) });
    expect(response.status).toBe(409);
    expect(response.json.detail).toMatch(/does not say where its folder belongs/);
    expect(await record(workset.workset_id)).toMatchObject({ state: 'archived', control_prefix: workset.control_prefix });
    expect(await aws.listKeys(workset.control_prefix)).toEqual(before);
  });

  it('a failed copy leaves everything where it was (503) and a retry succeeds', async () => {
    const workset = await seed({ state: 'complete', customerId: CUSTOMER, files: FILES });
    const remove = failCall(s3Client(aws.region), (c) => c.command === 'CopyObjectCommand', { nth: 3 });
    const failed = await call('ArchiveWorkset', { path: path(workset.workset_id) }).finally(remove);
    expect(failed.status).toBe(503);
    expect(await record(workset.workset_id)).toMatchObject({ state: 'complete', control_prefix: workset.control_prefix });
    expect(await aws.listKeys(workset.control_prefix)).toHaveLength(FILES.length + 1);
    // The two objects copied before the failure are gone too: nothing would ever point at them.
    expect(await aws.listKeys(archivedFolder(workset.workset_id))).toEqual([]);

    expect((await call('ArchiveWorkset', { path: path(workset.workset_id) })).status).toBe(200);
    expect(await aws.listKeys(archivedFolder(workset.workset_id))).toHaveLength(FILES.length + 1);
  });

  it('a state write that fails outright leaves the workset where it was: no copy, no claim, and a retry archives it', async () => {
    const workset = await seed({ state: 'complete', customerId: CUSTOMER, files: FILES });
    const serverError = () => Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    const remove = failCall(documentClient(aws.region), stateWrite, { error: serverError });
    const failed = await call('ArchiveWorkset', { path: path(workset.workset_id) }).finally(remove);
    expect(failed.status).toBe(503);
    const after = await record(workset.workset_id);
    expect(after).toMatchObject({ state: 'complete', control_prefix: workset.control_prefix });
    expect(after?.move_claim).toBeUndefined();
    expect(await aws.listKeys(archivedFolder(workset.workset_id))).toEqual([]);
    expect(await aws.listKeys(workset.control_prefix)).toHaveLength(FILES.length + 1);

    expect((await call('ArchiveWorkset', { path: path(workset.workset_id) })).status).toBe(200);
    expect(await aws.listKeys(archivedFolder(workset.workset_id))).toHaveLength(FILES.length + 1);
  });

  it('a state write whose reply is lost still completes the move: originals deleted, claim released', async () => {
    const workset = await seed({ state: 'complete', customerId: CUSTOMER, files: FILES });
    const remove = failCall(documentClient(aws.region), stateWrite, { afterSend: true });
    const archived = await call('ArchiveWorkset', { path: path(workset.workset_id) }).finally(remove);
    expect(archived.status).toBe(200);
    expect(archived.json).toMatchObject({ state: 'archived', control_folder: `s3://${aws.bucket}/${archivedFolder(workset.workset_id)}` });
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
    expect(await aws.listKeys(archivedFolder(workset.workset_id))).toHaveLength(FILES.length + 1);
    expect((await record(workset.workset_id))?.move_claim).toBeUndefined();
  });

  it('when the originals cannot be removed, the archive still stands and the answer names the leftover folder', async () => {
    const workset = await seed({ state: 'complete', customerId: CUSTOMER, files: FILES });
    const originals = (c: { command: string; input: any }) =>
      c.command === 'DeleteObjectsCommand' && c.input.Delete.Objects.some((object: { Key: string }) => object.Key === `${workset.control_prefix}daylily_work.yaml`);
    const remove = failCall(s3Client(aws.region), originals, { times: 3 });
    const archived = await call('ArchiveWorkset', { path: path(workset.workset_id) }).finally(remove);
    expect(archived.status).toBe(200);
    expect(archived.json).toMatchObject({
      state: 'archived',
      control_folder: `s3://${aws.bucket}/${archivedFolder(workset.workset_id)}`,
      leftover_folder: workset.control_prefix,
      sentinels: { in_sync: false },
    });
    expect(await aws.listKeys(archivedFolder(workset.workset_id))).toHaveLength(FILES.length + 1);
    expect(await aws.listKeys(workset.control_prefix)).toHaveLength(FILES.length + 1);

    const plain = await call('ArchiveWorkset', { path: path(workset.workset_id) });
    expect(plain.status).toBe(409);
  });

  // The mover's claim stays until its originals are gone: a move back in that gap would copy onto
  // exactly the keys the first mover is about to delete.
  for (const [first, second] of [['ArchiveWorkset', 'RestoreWorkset'], ['RestoreWorkset', 'ArchiveWorkset']] as const) {
    it(`${second} while ${first} is still deleting its originals answers 409, and no file is lost`, async () => {
      const workset = await seed({ state: first === 'ArchiveWorkset' ? 'complete' : 'archived', customerId: CUSTOMER, files: FILES });
      const active = `${aws.controlPrefix}${workset.workset_id}/`;
      const archive = archivedFolder(workset.workset_id);
      const [from, to] = first === 'ArchiveWorkset' ? [active, archive] : [archive, active];
      const hold = holdCall(
        s3Client(aws.region),
        (c) => c.command === 'DeleteObjectsCommand' && c.input.Delete.Objects.some((object: { Key: string }) => object.Key === `${from}daylily_work.yaml`),
      );
      const moving = call(first, { path: path(workset.workset_id) });
      await hold.held;
      const racing = await call(second, { path: path(workset.workset_id) }).finally(hold.release);
      const moved = await moving.finally(hold.remove);

      const sentinel = 'daylily.complete';
      expect((await aws.listKeys(to)).map((key) => key.slice(to.length))).toEqual([sentinel, ...FILES]);
      expect(await aws.listKeys(from)).toEqual([]);
      const stored = (await record(workset.workset_id))!;
      expect(stored).toMatchObject({ state: first === 'ArchiveWorkset' ? 'archived' : 'complete', control_prefix: to });
      expect(stored.move_claim).toBeUndefined();
      expect(moved.status, moved.text).toBe(200);
      expect(racing.status, racing.text).toBe(409);
      expect(racing.json.detail).toMatch(/being moved by another request/);

      // Once the first move has finished, the second one goes through.
      const after = await call(second, { path: path(workset.workset_id) });
      expect(after.status, after.text).toBe(200);
      expect((await aws.listKeys(from)).map((key) => key.slice(from.length))).toEqual([sentinel, ...FILES]);
      expect(await aws.listKeys(to)).toEqual([]);
    });
  }

  it("the worker releasing its lease during an archive copy (daylily.lock gone from under it): the archive decides again and answers 200, not 503", async () => {
    const lease = { lock_owner: 'worker-7', lease_epoch: 4, lease_expires_at: new Date(Date.now() + 600_000).toISOString() };
    const workset = await seed({ state: 'canceled', customerId: CUSTOMER, files: FILES, extra: lease });
    const archive = archivedFolder(workset.workset_id);
    const hold = holdCall(s3Client(aws.region), (c) => c.command === 'CopyObjectCommand' && String(c.input.Key).endsWith('/daylily.lock'));
    const archiving = call('ArchiveWorkset', { path: path(workset.workset_id) });
    await hold.held;
    const released = await call('ReleaseLease', { path: { workset_id: workset.workset_id }, body: { owner_id: 'worker-7' } }).finally(hold.release);
    const archived = await archiving.finally(hold.remove);

    expect(released.status, released.text).toBe(200);
    expect(archived.status, archived.text).toBe(200);
    expect(await record(workset.workset_id)).toMatchObject({ state: 'archived', control_prefix: archive, lease_epoch: 4 });
    expect((await record(workset.workset_id))!.lock_owner).toBeUndefined();
    // A canceled workset's sentinel is daylily.error (the monitor's stop signal); no daylily.lock came along.
    expect((await aws.listKeys(archive)).map((key) => key.slice(archive.length))).toEqual(['daylily.error', ...FILES]);
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
  });

  it('the worker releasing its lease between the archive\'s read and its copy of daylily.lock: the archive decides again and answers 200, not 503', async () => {
    const lease = { lock_owner: 'worker-8', lease_epoch: 4, lease_expires_at: new Date(Date.now() + 600_000).toISOString() };
    const workset = await seed({ state: 'canceled', customerId: CUSTOMER, files: FILES, extra: lease });
    const archive = archivedFolder(workset.workset_id);
    const lockKey = `${workset.control_prefix}daylily.lock`;
    // The release's record write lands first; its delete of daylily.lock waits...
    const deleting = holdCall(s3Client(aws.region), (c) => c.command === 'DeleteObjectsCommand' && c.input.Delete.Objects.some((object: { Key: string }) => object.Key === lockKey));
    const releasing = call('ReleaseLease', { path: { workset_id: workset.workset_id }, body: { owner_id: 'worker-8' } });
    await deleting.held;
    // ...until the archive, which read the record without the lease, listed the folder and is about to copy daylily.lock.
    const copying = holdCall(s3Client(aws.region), (c) => c.command === 'CopyObjectCommand' && c.input.Key === `${archive}daylily.lock`);
    const archiving = call('ArchiveWorkset', { path: path(workset.workset_id) });
    await copying.held;
    deleting.release();
    const released = await releasing.finally(deleting.remove);
    copying.release();
    const archived = await archiving.finally(copying.remove);

    expect(released.status, released.text).toBe(200);
    expect(archived.status, archived.text).toBe(200);
    expect(await record(workset.workset_id)).toMatchObject({ state: 'archived', control_prefix: archive });
    expect((await aws.listKeys(archive)).map((key) => key.slice(archive.length))).toEqual(['daylily.error', ...FILES]);
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
  });

  it('a hard delete during an archive copy: the archive answers 404 and removes the copies it made', async () => {
    const workset = await seed({ state: 'complete', customerId: CUSTOMER, files: FILES });
    const archive = archivedFolder(workset.workset_id);
    // Two files are copied; the third copy waits while the workset is hard-deleted, then finds its source gone.
    const hold = holdCall(s3Client(aws.region), (c) => c.command === 'CopyObjectCommand', { nth: 3 });
    const archiving = call('ArchiveWorkset', { path: path(workset.workset_id) });
    await hold.held;
    const copiedBefore = await aws.listKeys(archive);
    const deleted = await call('DeleteWorkset', { path: path(workset.workset_id), body: { hard_delete: true } }).finally(hold.release);
    const archived = await archiving.finally(hold.remove);

    expect(copiedBefore).toHaveLength(2);
    expect(deleted.status, deleted.text).toBe(200);
    expect(await aws.listKeys(archive)).toEqual([]);
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
    expect(await record(workset.workset_id)).toBeUndefined();
    expect(archived.status, archived.text).toBe(404);
  });
});

describe('delete', () => {
  it('soft delete is a state: daylily.ignore replaces daylily.ready so the monitor never starts it', async () => {
    const workset = await seed({ customerId: CUSTOMER });
    const response = await call('DeleteWorkset', { path: path(workset.workset_id), body: { reason: 'duplicate' } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ state: 'deleted' });
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.ignore']);
    expect(await aws.getText(`${workset.control_prefix}daylily.ignore`)).toMatch(/\tdeleted: duplicate$/);
  });

  it('hard delete removes exactly the workset’s folder and then its record; neighbours are untouched', async () => {
    const workset = await seed({ state: 'failed', customerId: CUSTOMER, worksetId: 'cd-0000000c', files: FILES });
    const neighbour = await seed({ state: 'failed', customerId: CUSTOMER, worksetId: 'cd-0000000c-0000000d', files: FILES });
    const outside = `${aws.controlPrefix}cd-0000000c.bak`;
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: outside, Body: 'not the folder' }));
    const neighbourBefore = await aws.listKeys(neighbour.control_prefix);

    const response = await call('DeleteWorkset', { path: path(workset.workset_id), body: { hard_delete: true } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ workset_id: workset.workset_id, hard_delete: true, deleted: true, objects_deleted: FILES.length + 1 });
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
    expect(await record(workset.workset_id)).toBeUndefined();
    expect(await aws.listKeys(neighbour.control_prefix)).toEqual(neighbourBefore);
    expect(await aws.getText(outside)).toBe('not the folder');
    expect((await call('GetCustomerWorkset', { path: path(workset.workset_id) })).status).toBe(404);
  });

  it('hard delete of an archived workset removes its archived folder', async () => {
    const workset = await seed({ state: 'archived', customerId: CUSTOMER, files: FILES });
    const response = await call('DeleteWorkset', { path: path(workset.workset_id), body: { hard_delete: true } });
    expect(response.status).toBe(200);
    expect(await aws.listKeys(archivedFolder(workset.workset_id))).toEqual([]);
  });

  it('a registration that never completed (still registering) can be deleted, soft or hard', async () => {
    // As registration leaves it: no version yet.
    const soft = await seed({ state: 'registering', customerId: CUSTOMER, files: ['daylily_work.yaml'], extra: { version: undefined } });
    const softly = await call('DeleteWorkset', { path: path(soft.workset_id), body: { reason: 'abandoned upload' } });
    expect(softly.status, softly.text).toBe(200);
    expect(softly.json).toMatchObject({ state: 'deleted' });
    expect(await sentinels(soft.control_prefix)).toEqual(['daylily.ignore']);

    const hard = await seed({ state: 'registering', customerId: CUSTOMER, files: ['daylily_work.yaml'] });
    const hardly = await call('DeleteWorkset', { path: path(hard.workset_id), body: { hard_delete: true } });
    expect(hardly.status, hardly.text).toBe(200);
    expect(await record(hard.workset_id)).toBeUndefined();
    expect(await aws.listKeys(hard.control_prefix)).toEqual([]);
  });

  it('is refused while in_progress, soft or hard', async () => {
    const workset = await seed({ state: 'in_progress', customerId: CUSTOMER, files: FILES });
    for (const hard_delete of [false, true]) {
      const response = await call('DeleteWorkset', { path: path(workset.workset_id), body: { hard_delete } });
      expect(response.status).toBe(409);
      expect(response.json).toMatchObject({ current_state: 'in_progress', allowed_states: ['canceled'] });
    }
    expect(await aws.listKeys(workset.control_prefix)).toHaveLength(FILES.length + 1);
  });

  it('a hard delete whose folder listing fails leaves a deleted record whose folder says daylily.ignore, never daylily.ready', async () => {
    const workset = await seed({ state: 'ready', customerId: CUSTOMER, files: FILES });
    const remove = failCall(s3Client(aws.region), (c) => c.command === 'ListObjectsV2Command', { times: 3 });
    const failed = await call('DeleteWorkset', { path: path(workset.workset_id), body: { hard_delete: true } }).finally(remove);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(failed.headers['content-type']).toMatch(/problem\+json/);
    expect((await record(workset.workset_id))!.state).toBe('deleted');
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.ignore']);
    expect(await monitorAgrees(workset.workset_id)).toMatchObject({ actual: 'ignore', expected: 'ignore' });
  });

  it('a hard delete interrupted after the files keeps a soft-deleted record, and repeating it finishes', async () => {
    const workset = await seed({ state: 'complete', customerId: CUSTOMER, files: FILES });
    // The first DeleteObjects is the sentinel plan's (stale sentinels out); the folder's removal follows.
    const remove = failCall(s3Client(aws.region), (c) => c.command === 'DeleteObjectsCommand', { nth: 2, times: 3 });
    const failed = await call('DeleteWorkset', { path: path(workset.workset_id), body: { hard_delete: true } }).finally(remove);
    expect(failed.status).toBe(503);
    expect((await record(workset.workset_id))!.state).toBe('deleted');
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.ignore']);
    expect((await call('DeleteWorkset', { path: path(workset.workset_id), body: { hard_delete: true } })).status).toBe(200);
    expect(await record(workset.workset_id)).toBeUndefined();
    expect(await aws.listKeys(workset.control_prefix)).toEqual([]);
  });
});

describe('retry and cancel', () => {
  it('retry clears daylily.error and daylily.in_progress before writing daylily.ready, resets counters and fences the old run', async () => {
    const workset = await seed({ state: 'error', customerId: CUSTOMER, extra: { retry_count: 3, error_details: 'x', lock_owner: 'old', lease_epoch: 2, lease_expires_at: new Date(Date.now() + 600_000).toISOString() } });
    // A stale in_progress left by an earlier monitor run (reference B14).
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `${workset.control_prefix}daylily.in_progress`, Body: 'old' }));
    const s3 = s3Client(aws.region);
    const order: string[] = [];
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string; Delete?: { Objects: Array<{ Key: string }> } };
        if (context.commandName === 'PutObjectCommand') order.push(`put ${input.Key!.split('/').pop()}`);
        if (context.commandName === 'DeleteObjectsCommand') order.push(...input.Delete!.Objects.map((object) => `delete ${object.Key.split('/').pop()}`));
        return next(args);
      },
      { step: 'initialize', name: 'order-recorder' },
    );
    const response = await call('RetryWorkset', { path: path(workset.workset_id) }).finally(() => s3.middlewareStack.remove('order-recorder'));

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ state: 'ready', retry_count: 0, error_details: null, lock_owner: null, lease_epoch: 3 });
    expect(order.indexOf('put daylily.ready')).toBe(order.length - 1);
    expect(order).toEqual(expect.arrayContaining(['delete daylily.error', 'delete daylily.in_progress', 'delete daylily.lock']));
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.ready']);
    // The old run's token is dead.
    const stale = await call('SetWorksetState', { path: { workset_id: workset.workset_id }, body: { state: 'in_progress', reason: 'x', owner_id: 'old', lease_epoch: 2 } });
    expect(stale.status).toBe(409);
  });

  it('another customer’s workset is not found, for every action', async () => {
    const workset = await seed({ state: 'error', customerId: CUSTOMER });
    for (const route of ['CancelWorkset', 'RetryWorkset', 'ArchiveWorkset', 'RestoreWorkset', 'DeleteWorkset', 'WorksetLogs']) {
      const response = await call(route, { path: path(workset.workset_id, 'intruder') });
      expect(response.status, route).toBe(404);
    }
    expect((await call('CancelWorkset', { path: path(newId()) })).status).toBe(404);
    expect((await record(workset.workset_id))!.state).toBe('error');
  });
});

describe('sentinels that cannot be written', () => {
  it('never roll DynamoDB back: the answer says in_sync false, the record is flagged, and the next change repairs it', async () => {
    const workset = await seed({ customerId: CUSTOMER });
    const remove = failCall(s3Client(aws.region), (c) => c.command === 'PutObjectCommand' && String(c.input.Key).endsWith('daylily.error'), { times: 10 });
    const canceled = await call('CancelWorkset', { path: path(workset.workset_id) }).finally(remove);
    expect(canceled.status).toBe(200);
    expect(canceled.json).toMatchObject({ state: 'canceled', sentinels: { in_sync: false, pending: { state: 'canceled', lock: false } } });
    const stored = (await record(workset.workset_id))!;
    expect(stored.state).toBe('canceled');
    expect(stored.sentinel_sync_pending).toMatchObject({ state: 'canceled' });
    expect((await call('GetWorkset', { path: { workset_id: workset.workset_id } })).json.sentinels.in_sync).toBe(false);
    // The stale daylily.ready was removed first, so the monitor does not start a canceled workset.
    expect(await sentinels(workset.control_prefix)).toEqual([]);

    const retried = await call('RetryWorkset', { path: path(workset.workset_id) });
    expect(retried.json).toMatchObject({ state: 'ready', sentinels: { in_sync: true } });
    expect((await record(workset.workset_id))!.sentinel_sync_pending).toBeUndefined();
    expect(await monitorAgrees(workset.workset_id)).toMatchObject({ actual: 'ready', expected: 'ready' });
  });

  it('a sentinel write that lands after a later change’s sync is reconciled: the folder ends as DynamoDB says', async () => {
    const workset = await seed({ customerId: CUSTOMER });
    // Cancel's daylily.error is held on the wire while a retry makes the workset ready again.
    const hold = holdCall(s3Client(aws.region), (c) => c.command === 'PutObjectCommand' && String(c.input.Key) === `${workset.control_prefix}daylily.error`);
    const canceling = call('CancelWorkset', { path: path(workset.workset_id) });
    await hold.held;
    const retried = await call('RetryWorkset', { path: path(workset.workset_id) });
    expect(retried.status).toBe(200);
    hold.release();
    const canceled = await canceling.finally(hold.remove);
    expect(canceled.status).toBe(200);

    expect(await record(workset.workset_id)).toMatchObject({ state: 'ready' });
    expect((await record(workset.workset_id))!.sentinel_sync_pending).toBeUndefined();
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.ready']);
    expect(await monitorAgrees(workset.workset_id)).toMatchObject({ actual: 'ready', expected: 'ready' });
  });

  it('a transient sentinel failure is retried and invisible', async () => {
    const workset = await seed({ customerId: CUSTOMER });
    const remove = failCall(s3Client(aws.region), (c) => c.command === 'PutObjectCommand', { times: 1 });
    const canceled = await call('CancelWorkset', { path: path(workset.workset_id) }).finally(remove);
    expect(canceled.json.sentinels).toEqual({ in_sync: true });
    expect(await sentinels(workset.control_prefix)).toEqual(['daylily.error']);
  });
});
