/**
 * Property: when DynamoDB or S3 fails under a route — throttled, a server fault, a refused
 * connection, a timeout; one call (a blip) or every call from then on (an outage), before the
 * call took effect or after (its reply lost) — the answer is still one the contract documents:
 * a 503 asking for a retry (`Retry-After`) at worst, never a 500, within a few seconds. And once
 * the dependency is back, the same request answers without a server error: whatever half-done
 * state the failure left (a registration still `registering`, a hard delete that stopped midway,
 * a sentinel not yet in sync) does not break the next call.
 *
 * Faults are SDK middleware on the handlers' own clients (test/support/faults.ts); requests are
 * valid ones aimed at seeded worksets (route-requests.ts, `valid`), so they reach the stores.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { HTTP_ENTRIES, type HttpEntry } from '../../infra/entry-points.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';
import { failCall } from '../support/faults.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { checkedCall, seenStatuses } from './checked-call.ts';
import { FUZZ_CUSTOMERS, seedPool } from './fuzz-pool.ts';
import { fuzzParameters, fuzzTestTimeoutMs, FUZZ_RUNS, inRounds } from './fuzz-runs.ts';
import { routeRequests } from './route-requests.ts';

const aws = useLocalAws('fuzz-outages');

/** Errors as the SDK raises them for each kind of dependency failure. */
const FAILURES = {
  throttled: () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $fault: 'client', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } }),
  'server fault': () => Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }),
  'connection refused': () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error', code: 'ECONNREFUSED' }),
  timeout: () => Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }),
} as const;

/** A fault in a service the route uses (its entry's access: S3 only for routes granted the bucket). */
const faultFor = (route: HttpEntry) =>
  fc.record({
    service: fc.constantFrom(...(['dynamodb', ...(route.access.controlBucket || route.access.archive ? ['s3'] : [])] as const)),
    kind: fc.constantFrom(...(Object.keys(FAILURES) as Array<keyof typeof FAILURES>)),
    /** The first failing call, 1-based among the request's calls to that service (most routes make a few). */
    nth: fc.constantFrom(1, 1, 1, 2, 2, 3, 4, 6),
    /** 1: a blip; 1000: down from that call on. */
    times: fc.constantFrom(1, 1_000),
    afterSend: fc.boolean(),
  });

const OUTAGE_RUNS = Math.max(5, Math.ceil(FUZZ_RUNS / 2));

afterAll(() => {
  if (process.env.FUZZ_STATS) for (const [route, statuses] of seenStatuses) console.log(route, JSON.stringify(Object.fromEntries(statuses)));
});

describe('every route while a dependency fails', () => {
  it.each(HTTP_ENTRIES.map((route) => [route.id, route] as const))(
    '%s answers 503 with Retry-After at worst, and recovers once the dependency is back',
    async (_id, route) => {
      await Promise.all(FUZZ_CUSTOMERS.map((customer) => aws.seedCustomer(customer)));
      await inRounds(OUTAGE_RUNS, async (round, runs) => {
        const pool = await seedPool(aws, `o${route.id.toLowerCase().slice(0, 9)}${round}`);
        await fc.assert(
          fc.asyncProperty(routeRequests(route, pool, 'valid'), faultFor(route), async (request, { service, kind, nth, times, afterSend }) => {
            const client = service === 'dynamodb' ? documentClient(aws.region) : s3Client(aws.region);
            const remove = failCall(client, () => true, { nth, times, error: FAILURES[kind], afterSend });
            try {
              await checkedCall(request, { dependencyFailed: true });
            } finally {
              remove();
            }
            await checkedCall(request);
          }),
          fuzzParameters(runs, round),
        );
      });
    },
    fuzzTestTimeoutMs(OUTAGE_RUNS),
  );
});
