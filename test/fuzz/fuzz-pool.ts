/**
 * The real state a fuzz run aims at: a workset in every state, with live, expired and missing
 * leases, backoffs passed and pending, an archived folder, another customer's workset — seeded
 * straight into the tables and the control bucket (test/support/worksets.ts), so requests get past
 * the 404s into every flow. Hostile requests consume it (cancel, delete, claim), so each property
 * seeds its own.
 */
import { WORKSET_STATES, type WorksetState } from '../../lambdas/lib/domain/workset.ts';
import { newId, worksetFixtures, type FixtureAws, type SeedOptions } from '../support/worksets.ts';
import type { FuzzPool, FuzzTarget } from './route-requests.ts';

export const FUZZ_CUSTOMERS = ['fuzz-lab', 'fuzz-other-lab'] as const;

const inSeconds = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString();

function lease(owner: string, epoch: number, expiresInSeconds: number): SeedOptions['extra'] {
  return { lock_owner: owner, lease_epoch: epoch, lease_expires_at: inSeconds(expiresInSeconds), lock_acquired_at: inSeconds(-60) };
}

/** Every state once, then the lease and backoff cases that matter to the worker routes. */
const SHAPES: ReadonlyArray<{ readonly state: WorksetState; readonly extra?: SeedOptions['extra']; readonly customer?: number }> = [
  ...WORKSET_STATES.map((state) => ({ state })),
  { state: 'ready', extra: lease('fuzz-worker-1', 3, 600) },
  { state: 'ready', extra: lease('fuzz-worker-2', 5, -60) },
  { state: 'in_progress', extra: { ...lease('fuzz-worker-3', 2, 600), current_step: 'align', metrics: { reads: 10 } } },
  { state: 'in_progress', extra: lease('fuzz-worker-4', 7, -60) },
  { state: 'retrying', extra: { retry_count: 1, retry_after: inSeconds(-5), error_category: 'transient' } },
  { state: 'retrying', extra: { retry_count: 2, retry_after: inSeconds(3600), error_category: 'transient' } },
  { state: 'canceled', extra: lease('fuzz-worker-5', 4, 600) },
  { state: 'archived', extra: { archived_from: 'error' } },
  { state: 'ready', customer: 1 },
  { state: 'complete', customer: 1 },
];

export async function seedPool(aws: FixtureAws, slug = 'fz'): Promise<FuzzPool> {
  const { seed } = worksetFixtures(aws);
  const records = await Promise.all(
    SHAPES.map((shape, index) =>
      seed({
        state: shape.state,
        customerId: FUZZ_CUSTOMERS[shape.customer ?? 0],
        priority: (['urgent', 'normal', 'low'] as const)[index % 3],
        worksetId: newId(`${slug}-${index}`),
        ...(shape.extra ? { extra: shape.extra } : {}),
      }),
    ),
  );
  const targets: FuzzTarget[] = records.map((record) => ({
    workset_id: record.workset_id,
    customer_id: record.customer_id,
    state: record.state,
    ...(record.lock_owner ? { lock_owner: record.lock_owner } : {}),
    ...(record.lease_epoch ? { lease_epoch: record.lease_epoch } : {}),
  }));
  return { targets };
}
