/**
 * The stream consumer on the in-memory stores: one `Workset State Change` event per state change,
 * in order, with the documented detail; the completion, failure and cancel emails, never two for
 * one event, whatever is delivered twice or fails on the way.
 */
import { describe, expect, it } from 'vitest';
import { MessageNotSent } from '../../lambdas/lib/ports/state-change-delivery.ts';
import { cancelWorkset } from '../../lambdas/lib/flows/lifecycle/cancel-retry.ts';
import { acquireLease } from '../../lambdas/lib/flows/lifecycle/leases.ts';
import { recordFailure, setState } from '../../lambdas/lib/flows/lifecycle/worker.ts';
import { publishStateChanges } from '../../lambdas/lib/flows/events/state-change-relay.ts';
import { registerWorkset } from '../../lambdas/lib/flows/registration/register-workset.ts';
import { failing, inMemory, registrationRequest, SENDER, START, type InMemoryWorld } from '../support/in-memory.ts';

const ADDRESS = 'pi@lab.test';

async function registered(world: InMemoryWorld, body: Record<string, unknown> = { notification_email: ADDRESS }): Promise<string> {
  const { workset } = await registerWorkset(world.registration, { customerId: 'lab-1', actor: 'lab-1', request: registrationRequest({ workset_name: 'trio 7', ...body }) });
  return workset.workset_id;
}

/** Claims and starts a workset as a worker would; answers its lease. */
async function started(world: InMemoryWorld, worksetId: string) {
  const { workset } = await acquireLease(world.lifecycle, { worksetId, owner: 'worker-a' });
  const lease = { owner: 'worker-a', epoch: workset.lease_epoch! };
  await setState(world.lifecycle, { worksetId, state: 'in_progress', reason: 'started', actor: 'worker-a', lease });
  return lease;
}

describe('state-change events', () => {
  it('publishes one event per state change, in order, each with its workset, customer, from/to, reason, actor, time, version and a stable id', async () => {
    const world = inMemory();
    const id = await registered(world);
    const lease = await started(world, id);
    world.advance(60);
    await setState(world.lifecycle, { worksetId: id, state: 'complete', reason: 'all samples called', actor: 'worker-a', lease });

    const outcome = await publishStateChanges(world.events, world.outboxEntries());

    expect(outcome).toEqual({ failed: [], published: 4, mailed: 1 });
    expect(world.bus.published).toEqual([
      { schema_version: 1, event_id: `${id}:0`, workset_id: id, customer_id: 'lab-1', from: null, to: 'registering', reason: expect.any(String), actor: 'lab-1', time: START, version: 0 },
      { schema_version: 1, event_id: `${id}:1`, workset_id: id, customer_id: 'lab-1', from: 'registering', to: 'ready', reason: expect.any(String), actor: 'lab-1', time: START, version: 1 },
      { schema_version: 1, event_id: `${id}:2`, workset_id: id, customer_id: 'lab-1', from: 'ready', to: 'in_progress', reason: 'started', actor: 'worker-a', time: START, version: 2 },
      { schema_version: 1, event_id: `${id}:3`, workset_id: id, customer_id: 'lab-1', from: 'in_progress', to: 'complete', reason: 'all samples called', actor: 'worker-a', time: world.now().toISOString(), version: 3 },
    ]);
  });

  it('carries the failure category of a failure', async () => {
    const world = inMemory();
    const id = await registered(world, {});
    const lease = await started(world, id);
    await recordFailure(world.lifecycle, { worksetId: id, actor: 'worker-a', lease, error_details: 'node lost', error_category: 'resource' });
    await publishStateChanges(world.events, world.outboxEntries());
    expect(world.bus.published.at(-1)).toMatchObject({ from: 'in_progress', to: 'retrying', error_category: 'resource', version: 3 });
  });

  it('skips what is not a change, and reports nothing failed for it', async () => {
    const world = inMemory();
    const outcome = await publishStateChanges(world.events, [{ id: '1' }, { id: '2', problem: 'a malformed history item' }]);
    expect(outcome).toEqual({ failed: [], published: 0, mailed: 0 });
    expect(world.bus.published).toEqual([]);
  });

  it('reports the change the bus refused and every record after it, mailing nothing from there; the redelivery publishes them', async () => {
    const world = inMemory();
    const id = await registered(world);
    const lease = await started(world, id);
    await setState(world.lifecycle, { worksetId: id, state: 'complete', reason: 'done', actor: 'worker-a', lease });
    const entries = world.outboxEntries();
    world.bus.refuse = (detail) => (detail.to === 'in_progress' ? 'ThrottlingException: rate exceeded' : undefined);

    const outcome = await publishStateChanges(world.events, entries);
    expect(outcome.failed).toEqual(entries.slice(2).map((entry) => entry.id));
    expect(world.mailer.sent).toEqual([]);

    world.bus.refuse = undefined;
    const retried = await publishStateChanges(world.events, entries.slice(2));
    expect(retried).toEqual({ failed: [], published: 2, mailed: 1 });
    expect(world.bus.published.map((detail) => detail.event_id)).toEqual([`${id}:0`, `${id}:1`, `${id}:3`, `${id}:2`, `${id}:3`]);
  });

  it('reports the whole batch from its first change when the bus cannot be reached', async () => {
    const world = inMemory();
    await registered(world);
    const entries = [{ id: '0' }, ...world.outboxEntries()];
    world.bus.fail = failing(() => true);
    expect(await publishStateChanges(world.events, entries)).toEqual({ failed: entries.slice(1).map((entry) => entry.id), published: 0, mailed: 0 });
  });
});

describe('notifications', () => {
  it('mail the notification address on completion, failure and cancellation, from the configured sender', async () => {
    const world = inMemory();
    const completed = await registered(world);
    await setState(world.lifecycle, { worksetId: completed, state: 'complete', reason: 'done', actor: 'worker-a', lease: await started(world, completed) });
    const failed = await registered(world);
    await recordFailure(world.lifecycle, { worksetId: failed, actor: 'worker-a', lease: await started(world, failed), error_details: 'bad FASTQ', error_category: 'data' });
    const canceled = await registered(world);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: canceled, actor: 'lab-1', reason: 'wrong reference' });

    await publishStateChanges(world.events, world.outboxEntries());

    expect(world.mailer.sent.map(({ from, to, subject, reference }) => ({ from, to, subject, reference }))).toEqual([
      { from: SENDER, to: ADDRESS, subject: 'Daylily workset "trio 7" completed', reference: `${completed}:3` },
      { from: SENDER, to: ADDRESS, subject: 'Daylily workset "trio 7" failed', reference: `${failed}:3` },
      { from: SENDER, to: ADDRESS, subject: 'Daylily workset "trio 7" canceled', reference: `${canceled}:2` },
    ]);
    expect(world.mailer.sent[1]!.text).toContain('Error: bad FASTQ');
    expect(world.mailer.sent[2]!.text).toContain('Reason: wrong reference');
  });

  it('send nothing for a workset without notification_email, nor for the states that do not mail', async () => {
    const world = inMemory();
    const quiet = await registered(world, {});
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: quiet, actor: 'lab-1' });
    const loud = await registered(world);
    await started(world, loud);
    expect(await publishStateChanges(world.events, world.outboxEntries())).toMatchObject({ failed: [], mailed: 0 });
    expect(world.mailer.sent).toEqual([]);
  });

  it('never send twice for one event: a redelivered stream record finds its claim', async () => {
    const world = inMemory();
    const id = await registered(world);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: id, actor: 'lab-1' });
    const entries = world.outboxEntries();

    await publishStateChanges(world.events, entries);
    const again = await publishStateChanges(world.events, entries);

    expect(again).toEqual({ failed: [], published: 3, mailed: 0 });
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.ledger.items.get(`${id}:2`)).toMatchObject({ status: 'sent' });
  });

  it('a message the mail service refused is released and retried with the rest of the batch, then sent once', async () => {
    const world = inMemory();
    const id = await registered(world);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: id, actor: 'lab-1' });
    const entries = world.outboxEntries();
    world.mailer.fail = failing(() => true, { times: 1, error: () => new MessageNotSent('Throttling') });

    const first = await publishStateChanges(world.events, entries);
    expect(first.failed).toEqual([entries[2]!.id]);
    expect(world.ledger.items.get(`${id}:2`)).toMatchObject({ status: 'released' });

    expect(await publishStateChanges(world.events, entries.slice(2))).toMatchObject({ failed: [], mailed: 1 });
    expect(world.mailer.sent).toHaveLength(1);
  });

  it('a message whose outcome is unknown is not retried: it may have gone out', async () => {
    const world = inMemory();
    const id = await registered(world);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: id, actor: 'lab-1' });
    const entries = world.outboxEntries();
    world.mailer.loseReply = () => new Error('socket hang up');

    expect(await publishStateChanges(world.events, entries)).toMatchObject({ failed: [], mailed: 0 });
    world.mailer.loseReply = undefined;
    expect(await publishStateChanges(world.events, entries)).toMatchObject({ failed: [], mailed: 0 });
    expect(world.mailer.sent).toHaveLength(1);
  });

  it('a ledger that cannot be reached sends nothing and retries the change', async () => {
    const world = inMemory();
    const id = await registered(world);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: id, actor: 'lab-1' });
    const entries = world.outboxEntries();
    world.ledger.fail = failing((operation) => operation === 'claim', { times: 1 });
    expect((await publishStateChanges(world.events, entries)).failed).toEqual([entries[2]!.id]);
    expect(world.mailer.sent).toEqual([]);
    expect(await publishStateChanges(world.events, entries.slice(2))).toMatchObject({ failed: [], mailed: 1 });
  });

  it('with notifications off, events are still published; with events off, emails are still sent', async () => {
    const world = inMemory();
    const id = await registered(world);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: id, actor: 'lab-1' });
    const entries = world.outboxEntries();
    expect(await publishStateChanges({ ...world.events, notifications: undefined }, entries)).toEqual({ failed: [], published: 3, mailed: 0 });
    expect(await publishStateChanges({ ...world.events, bus: undefined }, entries)).toEqual({ failed: [], published: 0, mailed: 1 });
  });
});
