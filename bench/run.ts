/**
 * `npm run bench`: the registration API on the embedded local stack (DynamoDB Local + s3rver),
 * measured from outside over HTTP. Prints figures; asserts nothing (timings are not tests).
 *
 *   create p50/p95/p99 (300 sequential), throughput with 16 clients (1,000 requests),
 *   get/list p50 with 100 and with 10,000 worksets stored, server CPU ms and AWS calls per
 *   create, peak RSS of the server process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localAwsEnv, startDynamoDbLocal, startS3Server } from '../infra/local/emulators.ts';
import { ensureTables } from '../lambdas/lib/stores/dynamodb/create-tables.ts';
import { percentile, type Figures } from './stats.ts';

const TABLES = { worksets: 'bench-worksets', customers: 'bench-customers', idempotency: 'bench-idempotency' };
const BUCKET = 'bench-control';
const SAMPLES = Array.from({ length: 4 }, (_, i) => ({
  sample_id: `S${i}`,
  r1_file: `s3://lab-data/run/S${i}_R1.fastq.gz`,
  r2_file: `s3://lab-data/run/S${i}_R2.fastq.gz`,
}));

interface ServerStats {
  cpuMs: number;
  maxRssMb: number;
  calls: Record<string, number>;
}

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./server-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    child.on('message', (message: { type: string; url?: string }) => {
      if (message.type === 'ready') resolve({ child, url: message.url! });
    });
  });
}

function serverStats(child: ChildProcess): Promise<ServerStats> {
  return new Promise((resolve) => {
    const listener = (message: { type: string } & ServerStats) => {
      if (message.type !== 'stats') return;
      child.off('message', listener);
      resolve(message);
    };
    child.on('message', listener);
    child.send({ type: 'stats' });
  });
}

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

function diffCalls(after: Record<string, number>, before: Record<string, number>, per: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, value]) => [key, (value - (before[key] ?? 0)) / per] as const)
      .filter(([, value]) => value > 0),
  );
}

async function main(): Promise<void> {
  // s3rver keeps objects as files: on this machine's disk a put costs ~5 ms of fsync-bound I/O
  // that has nothing to do with the API, so use memory-backed storage when there is some.
  const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dataDir = await mkdtemp(join(scratch, 'daylily-bench-'));
  process.stderr.write(`emulator data in ${scratch}\n`);
  const dynamodb = await startDynamoDbLocal({});
  const s3 = await startS3Server({ directory: join(dataDir, 's3'), buckets: [BUCKET] });
  const endpoints = { dynamodb: dynamodb.endpoint, s3: s3.endpoint };
  const ddbClient = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureTables(ddbClient, TABLES);
  const ddb = DynamoDBDocumentClient.from(ddbClient);
  for (const customer of ['bench-seq', 'bench-conc', 'bench-small', 'bench-large']) {
    await ddb.send(new PutCommand({ TableName: TABLES.customers, Item: { customer_id: customer, customer_name: customer } }));
  }

  const env = {
    ...localAwsEnv(endpoints),
    AWS_REGION: LOCAL_REGION,
    DAYLILY_CONTROL_BUCKET: BUCKET,
    DAYLILY_WORKSET_TABLE: TABLES.worksets,
    DAYLILY_CUSTOMER_TABLE: TABLES.customers,
    DAYLILY_IDEMPOTENCY_TABLE: TABLES.idempotency,
  };
  const { child, url } = await startServer(env);
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

    // Warm-up: module loading, connection pools, JIT.
    await load(4, 40, (i) => create('bench-seq', -1 - i));

    const before = await serverStats(child);
    const sequential = await load(1, 300, (i) => create('bench-seq', i));
    const after = await serverStats(child);
    figures.push(
      ['create p50 (300 sequential)', percentile(sequential.latencies, 50), 'ms', '≤ 15'],
      ['create p95', percentile(sequential.latencies, 95), 'ms'],
      ['create p99', percentile(sequential.latencies, 99), 'ms'],
      ['server CPU per create', (after.cpuMs - before.cpuMs) / 300, 'ms', '≤ 4'],
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
    await load(16, 10_000, (i) => create('bench-large', i, []));
    const listLarge = await readFigures('bench-large', 10_000);
    figures.push(['list p50 ratio 10,000 / 100', listLarge / listSmall, '×', '≤ 1.2']);

    figures.push(['server peak RSS', (await serverStats(child)).maxRssMb, 'MB']);
    console.log('\nAWS calls per create (sequential phase):');
    for (const [key, value] of Object.entries(perCreate)) console.log(`  ${key.padEnd(40)} ${value.toFixed(2)}`);
  } finally {
    child.send({ type: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
    ddbClient.destroy();
    await Promise.all([dynamodb.stop(), s3.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  }

  console.log('\nRegistration benchmark (embedded DynamoDB Local + s3rver, this machine):');
  for (const [name, value, unit, target] of figures) {
    console.log(`  ${name.padEnd(44)} ${value.toFixed(unit === 'calls' || unit === '×' ? 2 : 1).padStart(9)} ${unit.padEnd(6)} ${target ? `target ${target}` : ''}`);
  }
}

await main();
