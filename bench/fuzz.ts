/**
 * The hostile sequence of `npm run fuzz`: at least 10,000 requests over real HTTP to the local
 * server (its own process, on the embedded DynamoDB Local and s3rver), spread evenly over every
 * route of the entry-point table, plus what only HTTP can carry: paths no route matches, methods
 * no route takes, broken percent-encodings, URLs and bodies past the server's limits.
 *
 * The requests come from the fuzz suite's generators (test/fuzz/route-requests.ts): valid
 * requests aimed at seeded worksets in every state and lease, mutated and made hostile. The state
 * is seeded afresh every round, since the requests consume it (cancel, delete, claim).
 *
 * Prints per-route counts by status, the maximum latency, the count of 5xx, answers that break
 * their route's documented contract or the answer bounds, and the server's peak RSS next to the
 * writer functions' configured memory (infra/function-sizes.ts); exits non-zero on any 5xx,
 * contract or bound violation, RSS over the limit, or a server that stopped answering.
 *
 *   FUZZ_REQUESTS (default 10000), FUZZ_CLIENTS (concurrent clients, default 8), FUZZ_SEED
 */
import { setTimeout as delay } from 'node:timers/promises';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { HTTP_ENTRIES, type HttpEntry } from '../infra/entry-points.ts';
import { FUNCTION_SIZES } from '../infra/function-sizes.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../infra/local/emulators.ts';
import { MAX_REQUEST_BODY_BYTES } from '../infra/local/http-adapter.ts';
import { DEFAULT_CONTROL_PREFIX } from '../lambdas/lib/config/settings.ts';
import { boundViolations, MAX_LATENCY_MS } from '../test/fuzz/answer-bounds.ts';
import { FUZZ_CUSTOMERS, seedPool } from '../test/fuzz/fuzz-pool.ts';
import { describeRequest, routeRequests, type FuzzPool, type HostileRequest } from '../test/fuzz/route-requests.ts';
import { seedCustomerItem } from '../test/support/customer-items.ts';
import { contractViolations } from '../test/support/response-contract.ts';
import type { FixtureAws } from '../test/support/worksets.ts';
import { startBenchStack, type ServerStats } from './local-stack.ts';

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const CLIENTS = Number(process.env.FUZZ_CLIENTS ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Requests per round; each round seeds its own worksets. */
const ROUND = 550;
const RSS_LIMIT_MIB = FUNCTION_SIZES.writer.memoryMiB;

/** What the sequence sends: a route's request, or something only HTTP can carry. */
type Probe =
  | { readonly kind: 'route'; readonly request: HostileRequest }
  | { readonly kind: 'raw'; readonly label: string; readonly method: string; readonly url: string; readonly headers?: Record<string, string>; readonly body?: Uint8Array };

interface Outcome {
  readonly label: string;
  readonly status: number;
  readonly ms: number;
  readonly problems: readonly string[];
  readonly probe: Probe;
}

const routeById = new Map(HTTP_ENTRIES.map((route) => [route.id, route]));

/** encodeURIComponent, except that a lone surrogate (which has no UTF-8 form) goes out as its WTF-8 bytes. */
function percentEncode(text: string): string {
  return (text.match(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g) ?? [])
    .map((unit) => {
      const code = unit.charCodeAt(0);
      if (unit.length === 1 && code >= 0xd800 && code <= 0xdfff) {
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
      }
      return encodeURIComponent(unit);
    })
    .join('');
}

/** Headers HTTP can carry (a name that is a token, a value of Latin-1 without controls); the others are dropped. */
function sendableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && /^[\t\x20-\x7e\x80-\xff]*$/.test(value)));
}

/**
 * API Gateway refuses a request line or headers over 10 KB (Node's server: 16 KB in all, a 431),
 * so a route's request is cut to fit, the handler must see it: each path parameter to 1.5 KB
 * encoded, the query parameters and headers to 6 and 4 KB, shortest first. The raw probes send
 * the long URLs.
 */
const MAX_PATH_PARAMETER_BYTES = 1_536;
const MAX_QUERY_BYTES = 6 * 1024;
const MAX_HEADER_BYTES = 4 * 1024;

function within(limit: number, parts: readonly string[]): string[] {
  let room = limit;
  return [...parts].sort((a, b) => a.length - b.length).filter((part) => (room -= part.length) >= 0);
}

/** The value's longest prefix whose encoding fits in `limit`. */
function encodedWithin(limit: number, value: string): string {
  let encoded = percentEncode(value);
  for (let length = value.length; encoded.length > limit; encoded = percentEncode(value.slice(0, length))) {
    length = Math.floor((length * limit) / encoded.length);
  }
  return encoded;
}

/** A path segment `.` or `..`: a URL client resolves it away, so the request reaches another path (or none). */
const isDotSegment = (encoded: string): boolean => encoded === '.' || encoded === '..';

function toHttp(base: string, request: HostileRequest): { method: string; url: string; headers: Record<string, string>; body?: Uint8Array; dotSegment: boolean } {
  const route = routeById.get(request.routeId)!;
  const dotSegment = Object.keys(request.path).some((name) => isDotSegment(percentEncode(request.path[name]!)));
  const path = route.trigger.path.replace(/\{(\w+)\}/g, (_match, name: string) => encodedWithin(MAX_PATH_PARAMETER_BYTES, request.path[name] ?? ''));
  const query = within(MAX_QUERY_BYTES, Object.entries(request.query).map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)).join('&');
  const headers = sendableHeaders(request.headers);
  const kept = new Set(within(MAX_HEADER_BYTES, Object.entries(headers).map(([name, value]) => `${name}: ${value}`)));
  const method = route.trigger.method;
  const canHaveBody = method !== 'GET' && request.body !== undefined;
  return {
    method,
    dotSegment,
    url: `${base}${path}${query ? `?${query}` : ''}`,
    headers: Object.fromEntries(Object.entries(headers).filter(([name, value]) => kept.has(`${name}: ${value}`))),
    ...(canHaveBody ? { body: request.base64 ? Buffer.from(request.body!, 'base64') : Buffer.from(request.body!, 'utf8') } : {}),
  };
}

/** What no route's contract describes: unmatched paths and methods, broken encodings, limits of the server. */
function rawProbes(base: string): fc.Arbitrary<Probe> {
  const anyRoute = fc.constantFrom(...HTTP_ENTRIES);
  const concretePath = (route: HttpEntry, value: string) => route.trigger.path.replace(/\{\w+\}/g, value);
  return fc.oneof(
    fc.tuple(anyRoute, fc.constantFrom('PATCH', 'OPTIONS', 'HEAD', 'PUT', 'DELETE', 'POST', 'GET')).map(([route, method]): Probe => ({ kind: 'raw', label: '(other method)', method, url: `${base}${concretePath(route, 'fz-00000000')}` })),
    fc
      .constantFrom('//', '/worksets/', '/worksets//lock', '/api/customers', '/api/customers/x/worksets/', '/%', '/worksets/%zz', '/worksets/%E0%A4%A', '/worksets/%ED%A0%80', '/..%2f..%2fetc%2fpasswd', '/worksets/next/', '/queue', '/queue/stats/x', '/WORKSETS', '/worksets/a/b/c/d/e')
      .map((path): Probe => ({ kind: 'raw', label: '(no route)', method: 'GET', url: `${base}${path}` })),
    fc.integer({ min: 4_000, max: 40_000 }).map((length): Probe => ({ kind: 'raw', label: '(long URL)', method: 'GET', url: `${base}/worksets/${'a'.repeat(length)}` })),
    fc.integer({ min: 2_000, max: 30_000 }).map((length): Probe => ({ kind: 'raw', label: '(long URL)', method: 'GET', url: `${base}/worksets?next_token=${'%00'.repeat(length / 3)}` })),
  );
}

/** Bodies past the Lambda payload limit: the server answers 413 without running a handler (rare: 6 MB each). */
function oversizedProbe(base: string): Probe {
  return {
    kind: 'raw',
    label: '(body over 6 MB)',
    method: 'POST',
    url: `${base}/api/customers/${FUZZ_CUSTOMERS[0]}/worksets`,
    headers: { 'content-type': 'application/json' },
    body: Buffer.alloc(MAX_REQUEST_BODY_BYTES + 1, 0x20),
  };
}

async function send(base: string, probe: Probe): Promise<Outcome> {
  const http = probe.kind === 'route' ? toHttp(base, probe.request) : probe;
  // Sent elsewhere than its route (see isDotSegment): held to the bounds, not to that route's contract.
  const routed = probe.kind === 'route' && !('dotSegment' in http && http.dotSegment);
  const label = probe.kind === 'route' ? (routed ? probe.request.routeId : '(dot segment)') : probe.label;
  const started = performance.now();
  let status: number;
  let text: string;
  let headers: Record<string, string>;
  try {
    const response = await fetch(http.url, { method: http.method, headers: http.headers ?? {}, ...(http.body ? { body: http.body } : {}) });
    text = await response.text();
    status = response.status;
    headers = Object.fromEntries(response.headers);
  } catch (error) {
    // The connection failed: the server is down or dropped us. A bounded answer is owed to everyone.
    return { label, status: 0, ms: performance.now() - started, problems: [`no answer: ${(error as Error).message} (${(error as Error).cause ?? ''})`], probe };
  }
  const ms = performance.now() - started;
  const problems = boundViolations({ status, headers, text }, 0);
  if (probe.kind === 'route' && routed) {
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      problems.push(`answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    problems.push(...contractViolations(routeById.get(probe.request.routeId)!, { status, headers, text, json }));
  }
  return { label, status, ms, problems, probe };
}

/**
 * A round's requests: every route equally often, the raw probes besides, shuffled. Generated a
 * few at a time, yielding in between: generation is synchronous (about 8 ms a request), and
 * s3rver runs in this process, so a block of seconds would stall the server's S3 calls and let
 * keep-alive connections die under their clients (ECONNRESET, "other side closed").
 */
async function roundProbes(base: string, pool: FuzzPool, size: number, seed: number): Promise<Probe[]> {
  const perRoute = Math.ceil(size / (HTTP_ENTRIES.length + 1));
  const probes: Probe[] = [];
  for (const [index, route] of HTTP_ENTRIES.entries()) {
    const requests = routeRequests(route, pool);
    for (let chunk = 0; chunk * 5 < perRoute; chunk++) {
      const count = Math.min(5, perRoute - chunk * 5);
      probes.push(...fc.sample(requests, { numRuns: count, seed: seed + index * 100 + chunk }).map((request): Probe => ({ kind: 'route', request })));
      await delay(0);
    }
  }
  probes.push(...fc.sample(rawProbes(base), { numRuns: perRoute, seed: seed - 1 }));
  const order = fc.sample(fc.double({ min: 0, max: 1, noNaN: true }), { numRuns: probes.length, seed: seed + 7 });
  return probes.map((probe, index) => [order[index]!, probe] as const).sort(([a], [b]) => a - b).map(([, probe]) => probe);
}

async function runAll(base: string, probes: readonly Probe[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let index = next++; index < probes.length; index = next++) outcomes.push(await send(base, probes[index]!));
    }),
  );
  return outcomes;
}

/**
 * The harness's own seeding, retried: its clients sit idle while a round's requests run, and an
 * emulator closing an idle keep-alive connection just as the next round reuses it resets it
 * (ECONNRESET). A retry seeds fresh worksets; a half-seeded one is only one more workset.
 */
async function seeded<T>(seed: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await seed();
    } catch (error) {
      if (attempt === 3 || (error as { code?: string }).code !== 'ECONNRESET') throw error;
    }
  }
}

async function main(): Promise<number> {
  process.env.LOG_LEVEL ??= 'ERROR';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  console.log(`hostile sequence: ${TOTAL} requests over HTTP, ${CLIENTS} clients, seed ${SEED} (FUZZ_SEED replays it)`);
  const stack = await startBenchStack('fuzz', FUZZ_CUSTOMERS);
  const s3 = new S3Client({ endpoint: stack.endpoints.s3, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const aws: FixtureAws = {
    ddb: stack.ddb,
    s3,
    tables: stack.tables,
    bucket: stack.bucket,
    controlPrefix: DEFAULT_CONTROL_PREFIX,
    seedCustomer: (customerId, attributes, options) => seedCustomerItem(stack.ddb, stack.tables.customers, customerId, attributes, options),
    async listKeys(prefix = '') {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: prefix }));
      return (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])).sort();
    },
  };

  const outcomes: Outcome[] = [];
  const started = performance.now();
  let healthy = true;
  let stats: ServerStats | undefined;
  try {
    for (let round = 0; outcomes.length < TOTAL; round++) {
      const pool = await seeded(() => seedPool(aws, `r${round}`));
      const listing = await fetch(`${stack.url}/worksets?limit=1`).then((response) => response.json() as Promise<{ next_token?: string }>);
      const cursors = listing.next_token ? [listing.next_token] : [];
      const probes = await roundProbes(stack.url, { ...pool, cursors }, Math.min(ROUND, TOTAL - outcomes.length), SEED + round * 10_000);
      // Two bodies past the payload limit per run: enough to show the 413, without 6 MB a request.
      if (round < 2) probes.push(oversizedProbe(stack.url));
      outcomes.push(...(await runAll(stack.url, probes)));
      process.stdout.write(`\r  ${outcomes.length} requests, ${Math.round((performance.now() - started) / 1000)} s`);
    }
    process.stdout.write('\n');
    const health = await fetch(`${stack.url}/`).then((response) => response.status, () => 0);
    healthy = health === 200;
  } finally {
    // A server that died answers no stats: unknown, which fails the run.
    stats = await Promise.race([stack.stats(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000).unref())]);
    s3.destroy();
    await stack.stop();
  }

  // Per route: counts by status and the maximum latency.
  const byLabel = new Map<string, Outcome[]>();
  for (const outcome of outcomes) byLabel.set(outcome.label, [...(byLabel.get(outcome.label) ?? []), outcome]);
  const width = Math.max(...[...byLabel.keys()].map((label) => label.length));
  console.log(`\n${'route'.padEnd(width)}  ${'requests'.padStart(8)}  ${'max ms'.padStart(7)}  statuses`);
  for (const [label, list] of [...byLabel.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const statuses = new Map<number, number>();
    for (const outcome of list) statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
    const counts = [...statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`).join(' ');
    console.log(`${label.padEnd(width)}  ${String(list.length).padStart(8)}  ${Math.round(Math.max(...list.map((o) => o.ms))).toString().padStart(7)}  ${counts}`);
  }

  const serverErrors = outcomes.filter((outcome) => outcome.status >= 500 || outcome.status === 0);
  const violations = outcomes.filter((outcome) => outcome.problems.length > 0);
  const slow = outcomes.filter((outcome) => outcome.ms > MAX_LATENCY_MS);
  const maxLatency = Math.max(...outcomes.map((outcome) => outcome.ms));
  const rss = stats?.maxRssMb;
  // Server errors first: they are what the run is for.
  for (const outcome of [...serverErrors, ...violations.filter((outcome) => !serverErrors.includes(outcome))].slice(0, 10)) {
    const what = outcome.probe.kind === 'route' ? describeRequest(outcome.probe.request) : `${outcome.probe.method} ${outcome.probe.url.slice(0, 200)}`;
    console.log(`\n✗ ${outcome.label} ${outcome.problems.join('; ').slice(0, 600)}\n  request: ${what.slice(0, 600)}`);
  }
  console.log('');
  console.log(`requests          ${outcomes.length} (${byLabel.size - [...byLabel.keys()].filter((label) => label.startsWith('(')).length} routes of ${HTTP_ENTRIES.length}, plus raw HTTP probes) in ${Math.round((performance.now() - started) / 1000)} s`);
  console.log(`5xx (or no answer) ${serverErrors.length}`);
  console.log(`contract / bounds ${violations.length} answers break their route's contract or the answer bounds`);
  console.log(`max latency       ${Math.round(maxLatency)} ms (over HTTP, ${CLIENTS} clients; ${slow.length} over ${MAX_LATENCY_MS} ms)`);
  console.log(`server peak RSS   ${rss === undefined ? 'unknown' : `${Math.round(rss)} MiB`} (limit ${RSS_LIMIT_MIB} MiB, the writers' configured memory)`);
  console.log(`server after run  ${healthy ? 'up (GET / answers 200)' : 'DOWN'}`);

  const failures = [
    ...(serverErrors.length > 0 ? [`${serverErrors.length} server errors`] : []),
    ...(violations.length > 0 ? [`${violations.length} contract or bound violations`] : []),
    ...(rss === undefined || rss > RSS_LIMIT_MIB ? [`peak RSS ${rss === undefined ? 'unknown' : `${Math.round(rss)} MiB`} over ${RSS_LIMIT_MIB} MiB`] : []),
    ...(healthy ? [] : ['the server stopped answering']),
    ...(outcomes.length < TOTAL ? [`only ${outcomes.length} of ${TOTAL} requests sent`] : []),
  ];
  console.log(failures.length === 0 ? `\nverdict: PASS: ${outcomes.length} hostile requests, 0 5xx, peak RSS under ${RSS_LIMIT_MIB} MiB` : `\nverdict: FAIL: ${failures.join('; ')}`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
