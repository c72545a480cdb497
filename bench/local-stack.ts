/**
 * The stack a benchmark runs against: DynamoDB Local (its own Java process), s3rver (data in
 * memory-backed storage when the machine has some: on this disk a put costs ~5 ms of I/O that has
 * nothing to do with the API), and the API server in a child process (server-child.ts) so its CPU
 * time, memory and AWS calls are its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localAwsEnv, startDynamoDbLocal, startS3Server, type LocalEndpoints } from '../infra/local/emulators.ts';
import { LOCAL_SERVER_NODE_FLAGS } from '../infra/local/node-flags.ts';
import { ensureTables } from '../lambdas/lib/stores/dynamodb/create-tables.ts';

export interface ServerStats {
  readonly cpuMs: number;
  /** The part of cpuMs spent in the kernel (socket writes and reads, mostly). */
  readonly systemCpuMs: number;
  /** The part of cpuMs on the main thread (Linux only); the rest is V8's helper threads: its optimizing compiler and GC. */
  readonly mainThreadCpuMs?: number;
  readonly maxRssMb: number;
  readonly calls: Readonly<Record<string, number>>;
  /** Wall ms with at least one call in flight: by service (`dynamodb`, `s3`) and `aws` for any. */
  readonly busyMs: Readonly<Record<string, number>>;
}

export interface BenchStack {
  readonly url: string;
  /** The emulators' endpoints (to seed the bucket, say). */
  readonly endpoints: LocalEndpoints;
  readonly ddb: DynamoDBDocumentClient;
  readonly tables: { readonly worksets: string; readonly customers: string; readonly idempotency: string; readonly notifications: string };
  readonly bucket: string;
  /** The environment the server runs with (emulator endpoints, region, tables, bucket): a bundle run against the same stack takes it too. */
  readonly env: Readonly<Record<string, string>>;
  /** The server process's CPU time, peak RSS and AWS calls so far. */
  stats(): Promise<ServerStats>;
  /** Writes a heap snapshot of the server process; resolves with its file. */
  heapSnapshot(): Promise<string>;
  /** Starts the server process's CPU profiler (one phase of a benchmark, without start-up). */
  startProfile(): Promise<void>;
  /** Stops it and writes the profile (open it in Chrome DevTools) into `dir`; resolves with its file. */
  stopProfile(dir: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Extra Node flags for the server process, e.g. `BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof"`
 * to profile it (Node refuses --cpu-prof in NODE_OPTIONS) or `--heapsnapshot-signal=SIGUSR2`.
 */
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(fileURLToPath(new URL('./server-child.ts', import.meta.url)), [], {
    // As `npm start` runs the server (infra/local/node-flags.ts).
    execArgv: ['--import', 'tsx', ...LOCAL_SERVER_NODE_FLAGS, ...SERVER_NODE_ARGS],
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

export async function startBenchStack(name: string, customers: readonly string[] = []): Promise<BenchStack> {
  const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dataDir = await mkdtemp(join(scratch, `daylily-bench-${name}-`));
  const tables = { worksets: `bench-${name}-worksets`, customers: `bench-${name}-customers`, idempotency: `bench-${name}-idempotency`, notifications: `bench-${name}-notifications` };
  const bucket = `bench-${name}-control`;
  const dynamodb = await startDynamoDbLocal({});
  const s3 = await startS3Server({ directory: join(dataDir, 's3'), buckets: [bucket] });
  const endpoints = { dynamodb: dynamodb.endpoint, s3: s3.endpoint };
  const client = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  await ensureTables(client, tables);
  const ddb = DynamoDBDocumentClient.from(client);
  for (const customer of customers) {
    // Room for every registration a benchmark makes, and the data location its samples name.
    const item = { customer_id: customer, customer_name: customer, email: `${customer}@example.com`, max_active_worksets: 1_000_000, max_samples_per_workset: 20_000, data_locations: ['s3://lab-data/'], billing_tags: {}, suspended: false, machine_clients: [], version: 1, directory: 'customers' };
    await ddb.send(new PutCommand({ TableName: tables.customers, Item: item }));
  }
  const env = {
    ...localAwsEnv(endpoints),
    AWS_REGION: LOCAL_REGION,
    DAYLILY_CONTROL_BUCKET: bucket,
    DAYLILY_WORKSET_TABLE: tables.worksets,
    DAYLILY_CUSTOMER_TABLE: tables.customers,
    DAYLILY_IDEMPOTENCY_TABLE: tables.idempotency,
    // Registration is measured, not sign-in (API Gateway verifies tokens before a function runs).
    DAYLILY_AUTH: 'off',
    DAYLILY_NOTIFICATION_TABLE: tables.notifications,
  };
  const { child, url } = await startServer(env);
  /** Sends `message` to the server process; resolves with its answer of type `answer`. */
  const ask = <T,>(message: { type: string; dir?: string }, answer: string): Promise<T> =>
    new Promise((resolve) => {
      const listener = (reply: { type: string } & T) => {
        if (reply.type !== answer) return;
        child.off('message', listener);
        resolve(reply);
      };
      child.on('message', listener);
      child.send(message);
    });
  return {
    url,
    env,
    endpoints,
    ddb,
    tables,
    bucket,
    stats: () => ask<ServerStats>({ type: 'stats' }, 'stats'),
    heapSnapshot: async () => (await ask<{ file: string }>({ type: 'heap-snapshot' }, 'heap-snapshot')).file,
    startProfile: async () => void (await ask({ type: 'profile-start' }, 'profile-started')),
    stopProfile: async (dir) => (await ask<{ file: string }>({ type: 'profile-stop', dir }, 'profile-stopped')).file,
    async stop() {
      child.send({ type: 'stop' });
      await new Promise((resolve) => child.once('exit', resolve));
      client.destroy();
      await Promise.all([dynamodb.stop(), s3.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
