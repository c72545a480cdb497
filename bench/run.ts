/**
 * `npm run bench`: the registration API on the embedded local stack (DynamoDB Local + s3rver),
 * measured from outside over HTTP. Prints figures; asserts nothing (timings are not tests).
 *
 *   npm run bench [-- <section>…] [--record]   sections: registration, bundles, lifecycle, reconciler;
 *   --record writes the registration and bundle figures to bench/baseline.json (issue 13's "before");
 *   BENCH_PROFILE_DIR=<dir> writes a CPU profile of the server over the 300 sequential creates.
 *
 *   create p50/p95/p99 (300 sequential), the first create after start, throughput with 16 clients (1,000 requests),
 *   get/list p50 with 100 and with 10,000 worksets stored, server CPU ms and AWS calls per
 *   create (also once V8 has settled, at the end), peak RSS of the server process after 5,000 registrations; then every route's Lambda bundle in
 *   fresh Node processes (bench/bundle-figures.ts): import, first and steady invocations; then the lifecycle figures (bench/lifecycle.ts): claim
 *   throughput with 10 workers, queue stats p50 at 100 and 10,000 worksets; then the reconciler
 *   (bench/reconciler-figures.ts): a pass over 1,000 active and then also 10,000 finished
 *   worksets, time and AWS requests by kind.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBaseline, recordBaseline } from './baseline.ts';
import { bundleFigures } from './bundle-figures.ts';
import { lifecycleFigures } from './lifecycle-figures.ts';
import { reconcilerFigures } from './reconciler-figures.ts';
import { startBenchStack, type ServerStats } from './local-stack.ts';
import { percentile, printFigures, type Figures } from './stats.ts';

const SAMPLES = Array.from({ length: 4 }, (_, i) => ({
  sample_id: `S${i}`,
  r1_file: `s3://lab-data/run/S${i}_R1.fastq.gz`,
  r2_file: `s3://lab-data/run/S${i}_R2.fastq.gz`,
}));

async function timed(request: () => Promise<Response>, expected: number): Promise<number> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  const elapsed = performance.now() - start;
  if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}`);
  return elapsed;
}

/** Runs `total` requests from `clients` concurrent loops; returns latencies and wall time. */
async function load(clients: number, total: number, request: (i: number) => Promise<number>) {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) latencies.push(await request(i));
    }),
  );
  return { latencies, seconds: (performance.now() - start) / 1000 };
}

/** A few requests to a throwaway server, so the benchmark's fetch has loaded and compiled before it measures. */
async function warmClient(): Promise<void> {
  const server = createServer((request, response) => request.resume().on('end', () => response.end('{}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (let i = 0; i < 5; i += 1) await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).arrayBuffer();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Wall ms with a call of `key` (`dynamodb`, `s3`, `aws` = any) in flight between two stats. */
function busy(after: ServerStats, before: ServerStats, key: string): number {
  return (after.busyMs[key] ?? 0) - (before.busyMs[key] ?? 0);
}

function diffCalls(after: Record<string, number>, before: Record<string, number>, per: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, (value - (before[key] ?? 0)) / per] as const)
      .filter(([, value]) => value > 0),
  );
}

async function registrationFigures(): Promise<Figures> {
  const stack = await startBenchStack('reg', ['bench-seq', 'bench-conc', 'bench-small', 'bench-large']);
  const { url } = stack;
  const figures: Figures = [];
  try {
    const create = (customer: string, i: number, samples = SAMPLES) =>
      timed(
        () =>
          fetch(`${url}/api/customers/${customer}/worksets`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': `${customer}-${i}` },
            body: JSON.stringify({ workset_name: `bench ${i}`, pipeline_type: 'germline', reference_genome: 'GRCh38', samples }),
          }),
        201,
      );

    // The very first request after the server is up: what a user waits for after a restart. Not
    // the benchmark's own first request: its HTTP client loads and compiles on first use too.
    await warmClient();
    const atStart = await stack.stats();
    const first = await create('bench-seq', -1_000_000);
    const afterFirst = await stack.stats();
    const firstInAws = busy(afterFirst, atStart, 'aws');
    // Warm-up: connection pools, JIT.
    await load(4, 40, (i) => create('bench-seq', -1 - i));

    // BENCH_PROFILE_DIR=<dir>: a CPU profile of the server over this phase alone (steady creates).
    const profileDir = process.env.BENCH_PROFILE_DIR;
    if (profileDir) await stack.startProfile();
    const before = await stack.stats();
    const sequential = await load(1, 300, (i) => create('bench-seq', i));
    const after = await stack.stats();
    if (profileDir) process.stderr.write(`server CPU profile of the sequential creates: ${await stack.stopProfile(profileDir)}\n`);
    const steadyP50 = percentile(sequential.latencies, 50);
    figures.push(
      ['create p50 (300 sequential)', steadyP50, 'ms', '≤ 15'],
      ['create p95', percentile(sequential.latencies, 95), 'ms'],
      ['create p99', percentile(sequential.latencies, 99), 'ms'],
      ['first create after start', first, 'ms', `≤ ${(2 * steadyP50).toFixed(1)} (2× steady p50)`],
      ['  of which in AWS calls (the emulators)', firstInAws, 'ms'],
      ['  of which in the server', first - firstInAws, 'ms', `≤ ${(2 * (mean(sequential.latencies) - busy(after, before, 'aws') / 300)).toFixed(1)} (2× a steady create's)`],
      ['server CPU per create', (after.cpuMs - before.cpuMs) / 300, 'ms', '≤ 6'],
    );
    if (after.mainThreadCpuMs !== undefined && before.mainThreadCpuMs !== undefined) {
      figures.push(['  of which on V8\'s helper threads (optimizing compiler, GC)', (after.cpuMs - before.cpuMs - (after.mainThreadCpuMs - before.mainThreadCpuMs)) / 300, 'ms']);
    }
    // Where a sequential create's milliseconds go: wall time with a call in flight (calls in
    // parallel count once), the rest is the server (and the HTTP hop from the benchmark).
    const perCreateMs = mean(sequential.latencies);
    const awsMs = busy(after, before, 'aws') / 300;
    figures.push(
      ['create mean (300 sequential)', perCreateMs, 'ms'],
      ['  in DynamoDB calls', busy(after, before, 'dynamodb') / 300, 'ms'],
      ['  in S3 calls', busy(after, before, 's3') / 300, 'ms'],
      ['  in the server, outside AWS calls', perCreateMs - awsMs, 'ms'],
    );
    const perCreate = diffCalls(after.calls, before.calls, 300);
    const totalOf = (service: string) =>
      Object.entries(perCreate).filter(([key]) => key.startsWith(service)).reduce((sum, [, value]) => sum + value, 0);
    figures.push(
      ['DynamoDB requests per create', totalOf('dynamodb'), 'calls', '≤ 2'],
      ['S3 requests per create', totalOf('s3'), 'calls', '≤ 5'],
    );

    const concurrent = await load(16, 1000, (i) => create('bench-conc', i));
    figures.push(
      ['throughput, 16 clients (1,000 creates)', 1000 / concurrent.seconds, 'req/s', '≥ 150'],
      ['create p50, 16 clients', percentile(concurrent.latencies, 50), 'ms'],
      ['create p99, 16 clients', percentile(concurrent.latencies, 99), 'ms'],
    );

    const readFigures = async (customer: string, stored: number) => {
      const listing = (await (await fetch(`${url}/api/customers/${customer}/worksets?limit=1`)).json()) as { worksets: Array<{ workset_id: string }> };
      const id = listing.worksets[0]!.workset_id;
      const get = await load(1, 200, () => timed(() => fetch(`${url}/api/customers/${customer}/worksets/${id}`), 200));
      const list = await load(1, 200, () => timed(() => fetch(`${url}/api/customers/${customer}/worksets`), 200));
      figures.push(
        [`get p50 (${stored.toLocaleString('en')} worksets stored)`, percentile(get.latencies, 50), 'ms'],
        [`list p50, 50 per page (${stored.toLocaleString('en')} stored)`, percentile(list.latencies, 50), 'ms'],
      );
      return percentile(list.latencies, 50);
    };
    await load(8, 100, (i) => create('bench-small', i, []));
    const listSmall = await readFigures('bench-small', 100);
    process.stderr.write('seeding 10,000 worksets through the API…\n');
    // Registrations so far: the first, 40 warm-up, 300 sequential, 1,000 concurrent, 100 small.
    const toFiveThousand = 5_000 - 1_441;
    await load(16, toFiveThousand, (i) => create('bench-large', i, []));
    figures.push(['server peak RSS after 5,000 registrations', (await stack.stats()).maxRssMb, 'MiB', '≤ 120']);
    await load(16, 10_000 - toFiveThousand, (i) => create('bench-large', toFiveThousand + i, []));
    const listLarge = await readFigures('bench-large', 10_000);
    figures.push(['list p50 ratio 10,000 / 100', listLarge / listSmall, '×', '≤ 1.2']);

    figures.push(['server peak RSS after 11,441 registrations', (await stack.stats()).maxRssMb, 'MiB']);
    // The sequential phase above runs while V8 still optimizes the request path (its helper thread
    // compiles for the first ~1,000 creates); the same 300 creates once it has settled, for comparison.
    const settledBefore = await stack.stats();
    await load(1, 300, (i) => create('bench-seq', 1_000_000 + i));
    const settledAfter = await stack.stats();
    figures.push(['server CPU per create, 300 sequential after 11,441 registrations (V8 settled)', (settledAfter.cpuMs - settledBefore.cpuMs) / 300, 'ms']);
    console.log('\nAWS calls per create (sequential phase):');
    for (const [key, value] of Object.entries(perCreate)) console.log(`  ${key.padEnd(40)} ${value.toFixed(2)}`);
  } finally {
    await stack.stop();
  }
  return figures;
}

/** The sections, in order; `npm run bench -- <section>…` runs only those. */
const SECTIONS: Record<string, (record: boolean) => Promise<void>> = {
  registration: async (record) => {
    const figures = await registrationFigures();
    printFigures('Registration benchmark (embedded DynamoDB Local + s3rver, this machine):', await withBaseline(figures));
    if (record) await recordBaseline('server', Object.fromEntries(figures.map(([name, value]) => [name, value])));
  },
  bundles: async (record) => printFigures('Per-bundle benchmark (targets):', await bundleFigures({ record })),
  lifecycle: async () => {
    const stack = await startBenchStack('lc');
    try {
      const figures = await lifecycleFigures({ url: stack.url, ddb: stack.ddb, table: stack.tables.worksets, bucket: stack.bucket });
      printFigures('Lifecycle benchmark (embedded DynamoDB Local + s3rver, this machine):', figures);
    } finally {
      await stack.stop();
    }
  },
  reconciler: async () => printFigures('Reconciler benchmark (embedded DynamoDB Local + s3rver, this machine):', await reconcilerFigures()),
};

/** The figures with the baseline's value of each (when recorded) in the name, for the reader. */
async function withBaseline(figures: Figures): Promise<Figures> {
  const before = (await readBaseline())?.server;
  if (!before) return figures;
  return figures.map(([name, value, unit, target]) => {
    const was = before[name];
    return [was === undefined ? name : `${name} (was ${was.toFixed(1)})`, value, unit, target];
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const record = args.includes('--record');
  const chosen = args.filter((arg) => !arg.startsWith('--'));
  const unknown = chosen.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  for (const [name, run] of Object.entries(SECTIONS)) if (chosen.length === 0 || chosen.includes(name)) await run(record);
}

await main();
