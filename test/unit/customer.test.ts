/** The customer's pure rules: which states hold a slot, what lies under a data location, new ids. */
import { describe, expect, it } from 'vitest';
import { isUnderDataLocation, newCustomerId, normaliseDataLocation, s3Location, slotDelta, SLOT_STATES, usageMonth, withCustomerDefaults } from '../../lambdas/lib/domain/customer.ts';
import { WORKSET_STATES } from '../../lambdas/lib/domain/workset.ts';

describe('slots', () => {
  it('are held by registering, ready, in_progress and retrying worksets, and by no other state', () => {
    expect([...SLOT_STATES].sort()).toEqual(['in_progress', 'ready', 'registering', 'retrying']);
    expect(slotDelta(null, 'registering')).toBe(1);
    expect(slotDelta('registering', 'ready')).toBe(0);
    expect(slotDelta('in_progress', 'retrying')).toBe(0);
    expect(slotDelta('retrying', 'ready')).toBe(0);
    for (const to of ['complete', 'error', 'failed', 'canceled', 'ignored', 'deleted'] as const) expect(slotDelta('in_progress', to), to).toBe(-1);
    for (const from of ['error', 'failed', 'canceled', 'ignored', 'archived'] as const) expect(slotDelta(from, 'ready'), from).toBe(1);
    expect(slotDelta('registering', null)).toBe(-1);
    expect(slotDelta('deleted', null)).toBe(0);
    expect(slotDelta('complete', 'archived')).toBe(0);
    // Every state is one or the other.
    expect(WORKSET_STATES.filter((state) => slotDelta(null, state) === 1)).toEqual(SLOT_STATES);
  });

  it('count registrations in the UTC month of their creation', () => {
    expect(usageMonth('2026-03-31T23:59:59.999Z')).toBe('2026-03');
  });
});

describe('data locations', () => {
  it('are normalised to s3://bucket/prefix/, and refused when a reader could resolve them elsewhere', () => {
    expect(normaliseDataLocation('s3://lab-data')).toBe('s3://lab-data/');
    expect(normaliseDataLocation('s3://lab-data/runs')).toBe('s3://lab-data/runs/');
    expect(normaliseDataLocation(' s3://lab-data/runs/7// ')).toBe('s3://lab-data/runs/7/');
    for (const bad of ['https://lab-data/x/', 'lab-data/runs/', 's3://lab-data/../other/', 's3://lab-data/a/./b/', 's3://lab-data/a//b/', 's3://lab-data//a/']) {
      expect(normaliseDataLocation(bad), bad).toBeUndefined();
    }
  });

  it('contain what lies under their prefix in their bucket, and nothing beside it', () => {
    const locations = ['s3://lab-data/runs/', 's3://lab-archive/'];
    expect(isUnderDataLocation('s3://lab-data/runs/7/S1_R1.fq.gz', locations)).toBe(true);
    expect(isUnderDataLocation('s3://lab-data/runs/', locations)).toBe(true);
    expect(isUnderDataLocation('s3://lab-archive/anything', locations)).toBe(true);
    expect(isUnderDataLocation('s3://lab-archive', locations)).toBe(true);
    expect(isUnderDataLocation('s3://lab-data/runs-other/x', locations)).toBe(false);
    expect(isUnderDataLocation('s3://lab-data/other/x', locations)).toBe(false);
    expect(isUnderDataLocation('s3://lab-data-2/runs/x', locations)).toBe(false);
    // A key that climbs out of the prefix for a path-minded reader, another scheme, a path.
    expect(isUnderDataLocation('s3://lab-data/runs/../../secret/x', locations)).toBe(false);
    expect(isUnderDataLocation('s3://lab-data/runs//x', locations)).toBe(false);
    expect(isUnderDataLocation('https://lab-data/runs/x', locations)).toBe(false);
    expect(isUnderDataLocation('/fsx/lab-data/runs/x', locations)).toBe(false);
    expect(isUnderDataLocation('s3://lab-data/runs/x', [])).toBe(false);
    expect(s3Location('s3://b/k/x')).toEqual({ bucket: 'b', key: 'k/x' });
  });
});

describe('customers', () => {
  it('get an id from their name and a random suffix, like worksets', () => {
    expect(newCustomerId('Acme Génomics, Inc.', '1a2b3c4d')).toBe('acme-genomics-inc-1a2b3c4d');
    expect(newCustomerId('!!!', '1a2b3c4d')).toBe('customer-1a2b3c4d');
  });

  it('read an item written before settings existed with the defaults', () => {
    expect(withCustomerDefaults({ customer_id: 'old', customer_name: 'Old Lab' })).toMatchObject({
      customer_id: 'old',
      customer_name: 'Old Lab',
      max_active_worksets: 5,
      max_samples_per_workset: 20_000,
      data_locations: [],
      suspended: false,
      machine_clients: [],
      version: 0,
    });
  });
});
