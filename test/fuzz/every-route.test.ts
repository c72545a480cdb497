/**
 * Property: whatever a client sends to any route — valid requests aimed at real worksets in every
 * state and lease, mutated, hostile or malformed — the handler answers without a server error,
 * with either a documented success or a complete problem+json of a documented status (`call()`
 * throws otherwise), within the permissions its route is granted, small when it is a problem,
 * under Lambda's payload cap, and within a few seconds.
 *
 * `FUZZ_RUNS` sets the runs per route (default 30, so `npm test` stays quick); `FUZZ_SEED`
 * replays a run whose seed a failure printed.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { HTTP_ENTRIES } from '../../infra/entry-points.ts';
import { call } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { checkedCall, seenStatuses } from './checked-call.ts';
import { FUZZ_CUSTOMERS, seedPool } from './fuzz-pool.ts';
import { fuzzParameters, fuzzTestTimeoutMs, FUZZ_RUNS, inRounds } from './fuzz-runs.ts';
import { routeRequests, type FuzzPool } from './route-requests.ts';

const aws = useLocalAws('fuzz-every-route');

/** A real cursor of each listing, so forged and genuine ones both reach the cursor checks. */
async function withCursors(pool: FuzzPool): Promise<FuzzPool> {
  const pages = await Promise.all([
    call('ListCustomerWorksets', { path: { customer_id: FUZZ_CUSTOMERS[0] }, query: { limit: '1' } }),
    call('ListWorksets', { query: { limit: '1' } }),
    call('ListWorksets', { query: { limit: '1', state: 'ready' } }),
  ]);
  const cursors = pages.map((page) => page.json?.next_token).filter((token): token is string => typeof token === 'string');
  return { ...pool, cursors };
}

afterAll(() => {
  if (process.env.FUZZ_STATS) for (const [route, statuses] of seenStatuses) console.log(route, JSON.stringify(Object.fromEntries(statuses)));
});

describe('every route under hostile requests', () => {
  it.each(HTTP_ENTRIES.map((route) => [route.id, route] as const))(
    '%s answers no 5xx: a documented success or problem, bounded, fast',
    async (_id, route) => {
      await Promise.all(FUZZ_CUSTOMERS.map((customer) => aws.seedCustomer(customer)));
      await inRounds(FUZZ_RUNS, async (round, runs) => {
        const pool = await withCursors(await seedPool(aws, `${route.id.toLowerCase().slice(0, 10)}${round}`));
        await fc.assert(
          fc.asyncProperty(routeRequests(route, pool), async (request) => {
            await checkedCall(request);
          }),
          fuzzParameters(runs, round),
        );
      });
    },
    fuzzTestTimeoutMs(FUZZ_RUNS),
  );
});
