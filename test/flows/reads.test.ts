/** The read flows on the in-memory stores: a customer's worksets, a workset's history, the operator's listings. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../lambdas/lib/errors.ts';
import { getCustomerWorkset, listCustomerWorksets } from '../../lambdas/lib/flows/customer-worksets.ts';
import { cancelWorkset, retryWorkset } from '../../lambdas/lib/flows/lifecycle/cancel-retry.ts';
import { listWorksets } from '../../lambdas/lib/flows/lifecycle/operator.ts';
import { worksetHistory } from '../../lambdas/lib/flows/lifecycle/workset-history.ts';
import { registerWorkset } from '../../lambdas/lib/flows/registration/register-workset.ts';
import { inMemory, registrationRequest } from '../support/in-memory.ts';

const at = (seconds: number) => new Date(Date.UTC(2026, 1, 1) + seconds * 1000).toISOString();

describe('a customer’s worksets', () => {
  it('lists them newest first, page by page, and never another customer’s', async () => {
    const world = inMemory();
    const mine = [0, 1, 2].map((i) => world.seed({ createdAt: at(i) }));
    world.seed({ customerId: 'lab-2', createdAt: at(5) });

    const first = await listCustomerWorksets(world.lifecycle, 'lab-1', { limit: 2 });
    expect(first.worksets.map((workset) => workset.workset_id)).toEqual([mine[2]!.workset_id, mine[1]!.workset_id]);
    expect(first.next_token).toEqual(expect.any(String));
    const second = await listCustomerWorksets(world.lifecycle, 'lab-1', { limit: 2, next_token: first.next_token! });
    expect(second).toMatchObject({ worksets: [{ workset_id: mine[0]!.workset_id }], next_token: null });

    await expect(listCustomerWorksets(world.lifecycle, 'lab-2', { limit: 2, next_token: first.next_token! })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(getCustomerWorkset(world.lifecycle, 'lab-2', mine[0]!.workset_id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await getCustomerWorkset(world.lifecycle, 'lab-1', mine[0]!.workset_id)).workset_id).toBe(mine[0]!.workset_id);
  });

  it('narrows a listing to one state', async () => {
    const world = inMemory();
    world.seed({ createdAt: at(0) });
    const canceled = world.seed({ state: 'canceled', createdAt: at(1) });
    expect((await listCustomerWorksets(world.lifecycle, 'lab-1', { limit: 10, state: 'canceled' })).worksets.map((workset) => workset.workset_id)).toEqual([canceled.workset_id]);
  });
});

describe('a workset’s history', () => {
  it('lists every change since registration, oldest first, page by page', async () => {
    const world = inMemory();
    const { workset } = await registerWorkset(world.registration, { customerId: 'lab-1', actor: 'lab-1', request: registrationRequest() });
    world.advance(10);
    await cancelWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: workset.workset_id, actor: 'lab-1' });
    world.advance(10);
    await retryWorkset(world.lifecycle, { customerId: 'lab-1', worksetId: workset.workset_id, actor: 'lab-1' });

    const first = await worksetHistory(world.lifecycle, { customerId: 'lab-1', worksetId: workset.workset_id, limit: 3 });
    expect(first.logs.map((entry) => [entry.from, entry.to])).toEqual([
      [null, 'registering'],
      ['registering', 'ready'],
      ['ready', 'canceled'],
    ]);
    const rest = await worksetHistory(world.lifecycle, { customerId: 'lab-1', worksetId: workset.workset_id, limit: 3, nextToken: first.next_token! });
    expect(rest).toMatchObject({ logs: [{ from: 'canceled', to: 'ready', at: '2026-03-01T12:00:20.000Z' }], next_token: null });
  });

  it('another customer’s workset is not found; a forged cursor is invalid input', async () => {
    const world = inMemory();
    const workset = world.seed();
    await expect(worksetHistory(world.lifecycle, { customerId: 'lab-2', worksetId: workset.workset_id, limit: 5 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(worksetHistory(world.lifecycle, { worksetId: workset.workset_id, limit: 5, nextToken: 'forged' })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('the operator’s listing', () => {
  it('lists by state in queue order, and every state in turn without one', async () => {
    const world = inMemory();
    const normal = world.seed({ createdAt: at(0) });
    const urgent = world.seed({ priority: 'urgent', createdAt: at(9) });
    const failed = world.seed({ state: 'failed', createdAt: at(0) });
    expect((await listWorksets(world.lifecycle, { state: 'ready', limit: 10 })).worksets.map((workset) => workset.workset_id)).toEqual([urgent.workset_id, normal.workset_id]);
    const all = await listWorksets(world.lifecycle, { limit: 10 });
    expect(all.worksets.map((workset) => workset.workset_id)).toEqual([urgent.workset_id, normal.workset_id, failed.workset_id]);
    expect(all.next_token).toBeNull();
  });
});
