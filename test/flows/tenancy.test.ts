/**
 * Quotas, data locations and the customer directory on the in-memory stores: the same protocol
 * the routes run, in milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotAllowedInputError, NotFoundError, QuotaExceededError } from '../../lambdas/lib/errors.ts';
import { onboardCustomer, updateCustomer } from '../../lambdas/lib/flows/customer-directory.ts';
import type { CustomerAdminDeps } from '../../lambdas/lib/flows/deps.ts';
import { restoreWorkset } from '../../lambdas/lib/flows/lifecycle/archive-restore.ts';
import { cancelWorkset, retryWorkset } from '../../lambdas/lib/flows/lifecycle/cancel-retry.ts';
import { overrideState } from '../../lambdas/lib/flows/lifecycle/worker.ts';
import { registerWorkset } from '../../lambdas/lib/flows/registration/register-workset.ts';
import { MemoryCustomerStore } from '../../lambdas/lib/stores/memory/memory-customers.ts';
import { failing, inMemory, registrationRequest, START } from '../support/in-memory.ts';

const register = (world: ReturnType<typeof inMemory>, customerId: string, body: Record<string, unknown> = {}) =>
  registerWorkset(world.registration, { customerId, actor: customerId, request: registrationRequest(body) });
const caught = <T>(promise: Promise<T>) => promise.then(() => undefined, (error: unknown) => error);

describe('the active-workset quota', () => {
  it('counts registering, ready, in_progress and retrying worksets, refuses past the limit, and frees a slot when a run ends', async () => {
    const world = inMemory();
    world.customers.addCustomer('lab-q', { max_active_worksets: 2 });
    const first = (await register(world, 'lab-q')).workset;
    world.seed({ customerId: 'lab-q', state: 'complete' });
    await register(world, 'lab-q');
    const refused = (await caught(register(world, 'lab-q'))) as QuotaExceededError;
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect(refused.details).toEqual({ quota: 'max_active_worksets', limit: 2, usage: 2 });

    await cancelWorkset(world.lifecycle, { customerId: 'lab-q', worksetId: first.workset_id, actor: 'lab-q' });
    expect(world.customers.activeWorksets('lab-q')).toBe(1);
    await register(world, 'lab-q');
    // Full again: the canceled workset cannot come back, by its customer or an operator.
    expect(await caught(retryWorkset(world.lifecycle, { customerId: 'lab-q', worksetId: first.workset_id, actor: 'lab-q' }))).toBeInstanceOf(QuotaExceededError);
    expect(await caught(overrideState(world.lifecycle, { worksetId: first.workset_id, state: 'ready', reason: 'again', actor: 'op' }))).toBeInstanceOf(QuotaExceededError);
    expect((await world.record(first.workset_id))?.state).toBe('canceled');
    expect(await world.customers.usage('lab-q', START.slice(0, 7))).toMatchObject({ active_worksets: 2, worksets_registered: 3 });
  });

  it('refuses a restore into ready past the quota, leaving the archived folder where it was', async () => {
    const world = inMemory();
    world.customers.addCustomer('lab-r', { max_active_worksets: 1 });
    const archived = world.seed({ customerId: 'lab-r', state: 'archived', extra: { archived_from: 'error' } });
    await register(world, 'lab-r');
    const before = world.files(archived.control_prefix);
    const refused = (await caught(restoreWorkset(world.lifecycle, { customerId: 'lab-r', worksetId: archived.workset_id, actor: 'lab-r' }))) as QuotaExceededError;
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect(refused.details).toEqual({ quota: 'max_active_worksets', limit: 1, usage: 1 });
    expect(await world.record(archived.workset_id)).toMatchObject({ state: 'archived', control_prefix: archived.control_prefix });
    expect(world.files(archived.control_prefix)).toEqual(before);
    expect(world.files(archived.active_prefix!)).toEqual([]);
  });

  it('gives the slot back when a registration without a key fails and is removed', async () => {
    const world = inMemory();
    world.customers.addCustomer('lab-q', { max_active_worksets: 1 });
    world.bucket.fail = failing((operation) => operation === 'put', { times: 1 });
    await expect(register(world, 'lab-q')).rejects.toThrow();
    expect(world.customers.activeWorksets('lab-q')).toBe(0);
    expect((await register(world, 'lab-q')).workset.state).toBe('ready');
  });

  it('refuses a suspended customer\'s registrations and retries (403), and an unknown customer (404)', async () => {
    const world = inMemory();
    world.customers.addCustomer('lab-s', { suspended: true });
    expect(await caught(register(world, 'lab-s'))).toBeInstanceOf(ForbiddenError);
    const failed = world.seed({ customerId: 'lab-s', state: 'failed' });
    expect(await caught(retryWorkset(world.lifecycle, { customerId: 'lab-s', worksetId: failed.workset_id, actor: 'lab-s' }))).toBeInstanceOf(ForbiddenError);
    expect(await caught(register(world, 'lab-none'))).toBeInstanceOf(NotFoundError);
  });
});

describe('data locations and the sample limit', () => {
  it('name every field outside the customer\'s data locations, and the sample limit', async () => {
    const world = inMemory();
    world.customers.addCustomer('lab-d', { data_locations: ['s3://lab-data/runs/'], max_samples_per_workset: 2 });
    const outside = (await caught(
      register(world, 'lab-d', {
        s3_bucket: 'lab-data',
        s3_prefix: 'runs/',
        export_uri: 's3://elsewhere/out/',
        samples: [
          { sample_id: 'S1', r1_file: 'S1_R1.fq.gz', r2_file: 's3://lab-data/other/S1_R2.fq.gz' },
          { sample_id: 'S2', r1_file: 's3://other-lab/runs/S2_R1.fq.gz' },
        ],
      }),
    )) as NotAllowedInputError;
    expect(outside).toBeInstanceOf(NotAllowedInputError);
    expect(outside.errors.map((error) => error.field)).toEqual(['export_uri', 'samples[0].r2_file', 'samples[1].r1_file']);
    const tooMany = (await caught(register(world, 'lab-d', { samples: [1, 2, 3].map((n) => ({ sample_id: `S${n}`, r1_file: `s3://lab-data/runs/S${n}_R1.fq.gz` })) }))) as NotAllowedInputError;
    expect(tooMany.errors).toEqual([{ field: 'samples', message: 'exceeds max_samples_per_workset (2)' }]);
    expect(world.customers.activeWorksets('lab-d')).toBe(0);
  });
});

describe('the customer directory', () => {
  const deps = (customers: MemoryCustomerStore, hex: string[] = []): CustomerAdminDeps => ({
    customers,
    controlBucket: 'daylily-control-test',
    now: () => new Date(START),
    randomHex: () => hex.shift() ?? '0000000f',
  });
  const request = { customer_name: 'Acme Genomics', email: 'ops@acme.example', max_active_worksets: 5, max_samples_per_workset: 100, data_locations: [], billing_tags: {}, machine_clients: [] };

  it('draws another id when a generated one is taken, and refuses an id of the operator\'s choice that is', async () => {
    const customers = new MemoryCustomerStore();
    customers.addCustomer('acme-genomics-00000001');
    const created = await onboardCustomer(deps(customers, ['00000001', '00000002']), request);
    expect(created).toMatchObject({ customer_id: 'acme-genomics-00000002', version: 1, suspended: false, created_at: START });
    expect(await caught(onboardCustomer(deps(customers), request, 'acme-genomics-00000001'))).toBeInstanceOf(ConflictError);
  });

  it('applies a change onto a concurrent one rather than overwriting it', async () => {
    const customers = new MemoryCustomerStore();
    customers.addCustomer('lab-u', { max_active_worksets: 5 });
    let raced = false;
    // Another operator's change lands between this change's read and its write.
    customers.fail = (operation) => {
      if (operation === 'updateCustomer' && !raced) {
        raced = true;
        void customers.updateCustomer({ customerId: 'lab-u', version: 1, changes: { suspended: true }, at: START });
      }
      return undefined;
    };
    const changed = await updateCustomer(deps(customers), 'lab-u', { max_active_worksets: 7 });
    expect(changed).toMatchObject({ max_active_worksets: 7, suspended: true, version: 3 });
  });
});
