/**
 * The reconciler on DynamoDB Local and s3rver, under the IAM permissions of its entry: each kind
 * of drift injected (a deleted sentinel, a stray daylily.ready, a registration killed between
 * daylily.ready and its flip, a lease that expired mid-run, a skewed counter) is repaired by one
 * pass, and a second pass finds nothing. Passes run with a clock ahead of the wall clock where the
 * drift needs time to pass (a registration's grace, a lease); the handler itself runs one pass.
 */
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { resolveSettings } from '../../lambdas/lib/config/settings.ts';
import { REPAIR_KINDS, type RepairKind } from '../../lambdas/lib/domain/drift.ts';
import { counterShardId } from '../../lambdas/lib/domain/queue-counters.ts';
import { CUSTOMER_ITEM_KEYS } from '../../lambdas/lib/stores/tables.ts';
import { reconcile, type PassReport } from '../../lambdas/lib/flows/reconciler/reconcile.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { reconcilerDepsFrom } from '../../lambdas/lib/wiring/reconciler-deps.ts';
import { asEntry, call, invokeEntry } from '../support/api.ts';
import { failCall } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { newId, worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('reconciler');
const fixtures = worksetFixtures(aws);

/** A pass as the schedule runs it, `aheadSeconds` in the future, under the entry's permissions. */
function pass(aheadSeconds = 0, options: { dryRun?: boolean } = {}): Promise<PassReport> {
  const metrics: unknown[] = [];
  const deps = { ...reconcilerDepsFrom(resolveSettings({}, process.env), { now: () => new Date(Date.now() + aheadSeconds * 1000), metrics: (documents) => void metrics.push(...documents) }), indexSettleMs: 200 };
  return asEntry('ReconcileWorksets', () => reconcile(deps, options));
}
const found = (report: PassReport): Partial<Record<RepairKind, number>> =>
  Object.fromEntries(REPAIR_KINDS.filter((kind) => report.kinds[kind].found > 0).map((kind) => [kind, report.kinds[kind].found]));
const repairs = (report: PassReport, kind: RepairKind) => report.repairs.filter((entry) => entry.kind === kind).map((entry) => ({ target: entry.target, outcome: entry.outcome, action: entry.action }));

const tenMinutesAgo = () => new Date(Date.now() - 10 * 60_000).toISOString();
const removeKeys = (...keys: string[]) => aws.s3.send(new DeleteObjectsCommand({ Bucket: aws.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
const putKey = (key: string) => aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: 'x' }));

let customers = 0;
async function newCustomer(): Promise<string> {
  const id = `rec-${(customers += 1)}-${Date.now().toString(36)}`;
  await aws.seedCustomer(id);
  return id;
}

describe('one reconciler pass repairs each kind of drift, and the next finds nothing', () => {
  it('all at once: a deleted sentinel, a stray daylily.ready, a registration killed before its flip, a lease that ran out mid-run, a skewed counter', { timeout: 60_000 }, async () => {
    // A ready workset that lost its daylily.ready; a finished one with a daylily.ready beside its
    // daylily.complete; a folder with daylily.ready and no record.
    const ready = await fixtures.seed({ state: 'ready', createdAt: tenMinutesAgo() });
    await removeKeys(`${ready.control_prefix}daylily.ready`);
    const done = await fixtures.seed({ state: 'complete', createdAt: tenMinutesAgo() });
    await putKey(`${done.control_prefix}daylily.ready`);
    const orphan = `${aws.controlPrefix}${newId('gone')}/`;
    await putKey(`${orphan}daylily_work.yaml`);
    await putKey(`${orphan}daylily.ready`);

    // A registration whose flip failed and whose record could not be read back: registering, every
    // file and daylily.ready in its folder (what an S3-only monitor would run).
    const customerId = await newCustomer();
    const db = documentClient(aws.region);
    const removeFlipFault = failCall(db, (c) => /^TransactWrite/.test(c.command), { nth: 2 });
    const removeReadFault = failCall(db, (c) => /^Get/.test(c.command) && c.input.TableName === aws.tables.worksets, { times: 20 });
    const killed = await call('CreateWorkset', {
      path: { customer_id: customerId },
      headers: { 'Idempotency-Key': `key-${customerId}` },
      body: { workset_name: 'killed', pipeline_type: 'snv', reference_genome: 'GRCh38' },
    }).finally(() => {
      removeFlipFault();
      removeReadFault();
    });
    expect(killed.status).toBe(503);
    const registering = killed.json.workset_id as string;
    expect(await fixtures.record(registering)).toMatchObject({ state: 'registering' });

    // A run whose worker died: claimed for a minute, started, never heard of again.
    const running = await fixtures.seed({ state: 'ready', priority: 'urgent', createdAt: tenMinutesAgo() });
    const claimed = await call('AcquireLease', { path: { workset_id: running.workset_id }, body: { owner_id: 'worker-dead', lease_seconds: 60 } });
    expect(claimed.status).toBe(200);
    await call('SetWorksetState', { path: { workset_id: running.workset_id }, body: { state: 'in_progress', reason: 'started', owner_id: 'worker-dead', lease_epoch: claimed.json.lease_epoch } });

    // A counter three too high.
    await aws.ddb.send(new UpdateCommand({ TableName: aws.tables.worksets, Key: { workset_id: counterShardId(3) }, UpdateExpression: 'ADD #s :n', ExpressionAttributeNames: { '#s': 'retrying' }, ExpressionAttributeValues: { ':n': 3 } }));

    // Ten minutes on: past the registration's grace period and the lease.
    const dry = await pass(600, { dryRun: true });
    expect(found(dry)).toEqual({ registration: 1, 'expired-lease': 1, sentinels: 1, 'stray-ready': 2, 'queue-counter': 1 });
    expect(dry.repairs.every((entry) => entry.outcome === 'found')).toBe(true);

    const first = await pass(600);
    expect(found(first)).toEqual({ registration: 1, 'expired-lease': 1, sentinels: 1, 'stray-ready': 2, 'queue-counter': 1 });
    expect(first.repairs.filter((entry) => entry.outcome !== 'repaired')).toEqual([]);
    expect(repairs(first, 'registration')).toEqual([{ target: registering, outcome: 'repaired', action: 'completed' }]);
    expect(repairs(first, 'expired-lease')).toEqual([{ target: running.workset_id, outcome: 'repaired', action: 'recovered (retrying)' }]);
    expect(repairs(first, 'queue-counter')).toEqual([{ target: 'retrying', outcome: 'repaired', action: 'adjusted by -3' }]);

    // The folders and records as they should be.
    expect(await fixtures.sentinels(ready.control_prefix)).toEqual(['daylily.ready']);
    expect(await fixtures.sentinels(done.control_prefix)).toEqual(['daylily.complete']);
    expect(await aws.listKeys(orphan)).toEqual([`${orphan}daylily_work.yaml`]);
    expect(await fixtures.record(registering)).toMatchObject({ state: 'ready' });
    expect(await fixtures.record(running.workset_id)).toMatchObject({ state: 'retrying', error_category: 'transient' });
    expect(await fixtures.sentinels(running.control_prefix)).toEqual([]);
    const stats = (await call('QueueStats')).json;
    expect(stats.queue_depth).toMatchObject({ retrying: 1, registering: 0 });
    // The client's same-key retry gets the registration the pass completed.
    expect((await call('CreateWorkset', { path: { customer_id: customerId }, headers: { 'Idempotency-Key': `key-${customerId}` }, body: { workset_name: 'killed', pipeline_type: 'snv', reference_genome: 'GRCh38' } })).status).toBe(201);

    const second = await pass(900);
    expect(found(second)).toEqual({});
  });

  it("a skewed slot counter: too high (the quota refusing), too low, and none while worksets hold slots, each set to its customer's worksets", { timeout: 60_000 }, async () => {
    const tight = `rec-tight-${Date.now().toString(36)}`;
    await aws.seedCustomer(tight, { max_active_worksets: 2 });
    const [low, none] = [await newCustomer(), await newCustomer()];
    for (const [customerId, state] of [[tight, 'ready'], [tight, 'complete'], [low, 'ready'], [low, 'retrying'], [none, 'ready'], [none, 'in_progress']] as const) {
      await fixtures.seed({ customerId, state, createdAt: tenMinutesAgo(), ...(state === 'in_progress' ? { extra: { lock_owner: 'w', lease_epoch: 1, lease_expires_at: '2099-01-01T00:00:00.000Z' } } : {}) });
    }
    const skew = (customerId: string, delta: number) =>
      aws.ddb.send(new UpdateCommand({ TableName: aws.tables.customers, Key: { customer_id: CUSTOMER_ITEM_KEYS.counters(customerId) }, UpdateExpression: 'ADD active_worksets :d', ExpressionAttributeValues: { ':d': delta } }));
    await skew(tight, 1);
    await skew(low, -1);
    await aws.ddb.send(new DeleteCommand({ TableName: aws.tables.customers, Key: { customer_id: CUSTOMER_ITEM_KEYS.counters(none) } }));
    const usage = async (customerId: string) => (await call('GetCustomerUsage', { path: { customer_id: customerId } })).json.active_worksets as number;
    const register = (name: string) => call('CreateWorkset', { path: { customer_id: tight }, body: { workset_name: name, pipeline_type: 'snv', reference_genome: 'GRCh38' } });
    expect([await usage(tight), await usage(low), await usage(none)]).toEqual([2, 1, 0]);
    // One workset holds a slot of two, but the counter says both are taken.
    expect((await register('refused')).status).toBe(429);

    const dry = await pass(0, { dryRun: true });
    expect(repairs(dry, 'quota-usage')).toEqual(expect.arrayContaining([{ target: tight, outcome: 'found', action: 'adjust' }]));
    expect(await usage(tight)).toBe(2);
    const first = await pass();
    expect(found(first)).toEqual({ 'quota-usage': 3 });
    expect(repairs(first, 'quota-usage').sort((a, b) => a.target.localeCompare(b.target))).toEqual(
      [
        { target: tight, outcome: 'repaired', action: 'adjusted by -1' },
        { target: low, outcome: 'repaired', action: 'adjusted by 1' },
        { target: none, outcome: 'repaired', action: 'adjusted by 2' },
      ].sort((a, b) => a.target.localeCompare(b.target)),
    );
    expect([await usage(tight), await usage(low), await usage(none)]).toEqual([1, 2, 2]);
    expect((await register('fits')).status).toBe(201);
    expect(found(await pass())).toEqual({});
  });

  it('an idle customer (no active workset, no recent change) whose counter was left too high is found through the directory and can register again', { timeout: 60_000 }, async () => {
    const idle = `rec-idle-${Date.now().toString(36)}`;
    await aws.seedCustomer(idle, { max_active_worksets: 1 });
    // No workset at all: only the turn through the directory finds it.
    await aws.ddb.send(new UpdateCommand({ TableName: aws.tables.customers, Key: { customer_id: CUSTOMER_ITEM_KEYS.counters(idle) }, UpdateExpression: 'ADD active_worksets :d', ExpressionAttributeValues: { ':d': 1 } }));
    const register = () => call('CreateWorkset', { path: { customer_id: idle }, body: { workset_name: 'after-idle', pipeline_type: 'snv', reference_genome: 'GRCh38' } });
    expect((await register()).status).toBe(429);
    const first = await pass(600);
    expect(repairs(first, 'quota-usage')).toContainEqual({ target: idle, outcome: 'repaired', action: 'adjusted by -1' });
    expect((await register()).status).toBe(201);
  });

  it('a record flagged sentinel_sync_pending, found through the reconcile index, gets its folder and loses its flag', async () => {
    const canceled = await fixtures.seed({ state: 'canceled', createdAt: tenMinutesAgo(), files: ['daylily_work.yaml', 'daylily.in_progress'] });
    // As a failed sync leaves it: the flag, with its index entry (markSentinels writes both).
    await aws.ddb.send(
      new UpdateCommand({
        TableName: aws.tables.worksets,
        Key: { workset_id: canceled.workset_id },
        UpdateExpression: 'SET sentinel_sync_pending = :pending, reconcile_key = :flagged, reconcile_at = :since',
        ExpressionAttributeValues: { ':pending': { state: 'canceled', lock: false, since: tenMinutesAgo() }, ':flagged': 'sentinels', ':since': tenMinutesAgo() },
      }),
    );
    const first = await pass();
    expect(repairs(first, 'flagged')).toEqual([{ target: canceled.workset_id, outcome: 'repaired', action: 'synced' }]);
    expect(await fixtures.sentinels(canceled.control_prefix)).toEqual(['daylily.error']);
    expect(await fixtures.record(canceled.workset_id)).not.toHaveProperty('sentinel_sync_pending');
    expect(repairs(await pass(), 'flagged')).toEqual([]);
  });
});

describe('the reconciler handler', () => {
  it('runs one pass within its time, answers what it found by kind, and writes its metrics to standard output as EMF', async () => {
    const ready = await fixtures.seed({ state: 'ready', createdAt: tenMinutesAgo() });
    await removeKeys(`${ready.control_prefix}daylily.ready`);
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    const answer = await invokeEntry('ReconcileWorksets', { scheduleArn: 'arn:aws:scheduler:us-west-2:000000000000:schedule/default/ReconcileWorksetsSchedule', scheduledTime: '2026-03-01T12:05:00Z', executionId: 'x', attemptNumber: '1' }, { timeoutMs: 300_000 }).finally(() => stdout.mockRestore());
    expect(answer).toMatchObject({ complete: true, kinds: { sentinels: { found: 1, repaired: 1, failed: 0 } } });
    const documents = written.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(documents.find((document) => document.RepairKind === 'sentinels')).toMatchObject({ DriftFound: 1, DriftRepaired: 1, RepairsFailed: 0 });
    expect(answer).not.toHaveProperty('repairs');
    expect(await fixtures.sentinels(ready.control_prefix)).toEqual(['daylily.ready']);
  });
});
