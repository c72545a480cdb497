/**
 * The local server as a user runs it: `node bin/daylily-workset-api.js`, a child process with its
 * own emulators, stopped with SIGTERM.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, freePort, localAwsEnv } from '../../infra/local/emulators.ts';
import { DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { queueOrder, type WorksetRecord } from '../../lambdas/lib/domain/workset.ts';
import { ensureTables } from '../../lambdas/lib/stores/dynamodb/create-tables.ts';

const REPO_ROOT = new URL('../../', import.meta.url).pathname;

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

interface RunningCli {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: LogLine[];
  readonly stderr: string[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Starts the CLI and resolves once it logged its URL. */
async function startCli(args: string[], extraEnv: Record<string, string> = {}): Promise<RunningCli> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'INFO', ...extraEnv };
  // The test process's own settings must not leak into the child.
  for (const name of Object.keys(env)) {
    if ((name.startsWith('DAYLILY_') || name.startsWith('AWS_')) && !(name in extraEnv)) delete env[name];
  }
  const child = spawn(process.execPath, ['bin/daylily-workset-api.js', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const lines: LogLine[] = [];
  const stderr: string[] = [];

  // The logger writes WARN and ERROR to stderr, the rest to stdout: read JSON from both.
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start in time.\n${stderr.join('\n')}`)), 15_000);
    const onLine = (text: string): void => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        stderr.push(text);
        return;
      }
      lines.push(line);
      if (typeof line.url === 'string' && line.message.includes('listening')) {
        clearTimeout(timer);
        resolve(line.url);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code} before listening.\n${stderr.join('\n')}\n${JSON.stringify(lines, null, 1)}`));
    });
  });

  return {
    child,
    url,
    lines,
    stderr,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      running.delete(child);
      return code;
    },
  };
}

/** Runs a one-shot command (`customers …`, `token …`): its stdout, or a rejection with its exit code and stderr. */
async function runCommand(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(args, {});
  if (code !== 0) throw Object.assign(new Error(`exit ${code}: ${stderr}`), { code, stderr });
  return stdout;
}

function processesMentioning(text: string): string[] {
  const all = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  return all.filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

const tempDirs: string[] = [];
afterEach(() => {
  // A failed assertion must not leave a server (and its JVM) behind.
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('daylily-workset-api (local server CLI)', () => {
  it('runs on embedded emulators whose data survives a restart, and stops cleanly on SIGTERM', { timeout: 30_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'daylily-cli-'));
    tempDirs.push(dataDir);
    const args = ['--port', String(await freePort()), '--data-dir', dataDir];

    // First run: a fresh data directory.
    const first = await startCli(args);
    expect(first.lines).toContainEqual(
      expect.objectContaining({
        message: 'Integration layer initialized successfully',
        bucket: 'daylily-control-local',
        prefix: DEFAULT_CONTROL_PREFIX,
      }),
    );
    const health = await fetch(`${first.url}/`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', control_bucket_configured: true });

    const emulators = first.lines.find((line) => line.message === 'Embedded AWS emulators started');
    expect(emulators).toBeDefined();
    const ddb = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: String(emulators?.dynamodb), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    );
    const customer = await ddb.send(new GetCommand({ TableName: 'daylily-customers', Key: { customer_id: 'test-customer' } }));
    expect(customer.Item).toMatchObject({ customer_id: 'test-customer', customer_name: 'Test Customer', email: 'test@example.com', max_active_worksets: 100, data_locations: ['s3://test-customer-data/'], suspended: false, version: 1 });
    // The sample events' customer too.
    const acme = await ddb.send(new GetCommand({ TableName: 'daylily-customers', Key: { customer_id: 'acme-genomics' } }));
    expect(acme.Item).toMatchObject({ data_locations: ['s3://acme-genomics-data/'] });
    // Off by default on the emulators, and said so.
    expect(first.lines).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('Authorization is off'), auth: 'off' }));
    const curl = await fetch(`${first.url}/api/customers/test-customer/worksets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workset_name: 'test-workset', pipeline_type: 'snv', reference_genome: 'GRCh38' }),
    });
    expect(curl.status).toBe(201);
    // Changes a restart must keep (and the demo seeding must not undo).
    await ddb.send(
      new UpdateCommand({
        TableName: 'daylily-customers',
        Key: { customer_id: 'test-customer' },
        UpdateExpression: 'SET customer_name = :name',
        ExpressionAttributeValues: { ':name': 'Renamed Customer' },
      }),
    );
    const s3Options = {
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    } as const;
    const s3 = new S3Client({ ...s3Options, endpoint: String(emulators?.s3) });
    const markerKey = `${DEFAULT_CONTROL_PREFIX}marker.txt`;
    await s3.send(new PutObjectCommand({ Bucket: 'daylily-control-local', Key: markerKey, Body: 'kept' }));
    ddb.destroy();
    s3.destroy();

    expect(await first.stop()).toBe(0);
    expect(first.lines.at(-1)?.message).toBe('Stopped');
    expect(processesMentioning(dataDir)).toEqual([]);

    // Second run on the same data directory.
    const second = await startCli(args);
    const again = second.lines.find((line) => line.message === 'Embedded AWS emulators started');
    const ddbAgain = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: String(again?.dynamodb), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    );
    const kept = await ddbAgain.send(new GetCommand({ TableName: 'daylily-customers', Key: { customer_id: 'test-customer' } }));
    expect(kept.Item?.customer_name).toBe('Renamed Customer');
    const s3Again = new S3Client({ ...s3Options, endpoint: String(again?.s3) });
    const marker = await s3Again.send(new GetObjectCommand({ Bucket: 'daylily-control-local', Key: markerKey }));
    expect(await marker.Body?.transformToString()).toBe('kept');
    ddbAgain.destroy();
    s3Again.destroy();

    expect(await second.stop()).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('serves the upload route on the embedded emulators: its form posts to the local S3 server, and the staged sheet registers', { timeout: 30_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'daylily-cli-'));
    tempDirs.push(dataDir);
    const cli = await startCli(['--port', String(await freePort()), '--data-dir', dataDir]);
    const emulators = cli.lines.find((line) => line.message === 'Embedded AWS emulators started');
    const api = `${cli.url}/api/customers/acme-genomics`;
    const json = { 'content-type': 'application/json' };

    const upload = (await (await fetch(`${api}/uploads`, { method: 'POST', headers: json, body: '{}' })).json()) as { upload_id: string; url: string; fields: Record<string, string> };
    expect(upload.url).toBe(`${String(emulators?.s3)}/daylily-control-local`);
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', new Blob(['sample_id\tr1\nS1\ts3://acme-genomics-data/S1_R1.fq.gz\n']), 'samples.tsv');
    expect((await fetch(upload.url, { method: 'POST', body: form })).status).toBe(204);

    const registered = await fetch(`${api}/worksets`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ workset_name: 'uploaded', pipeline_type: 'snv', reference_genome: 'GRCh38', samples_upload_id: upload.upload_id }),
    });
    expect(registered.status).toBe(201);
    expect(await registered.json()).toMatchObject({ state: 'ready', sample_count: 1 });
    expect(await cli.stop()).toBe(0);
  });

  it('keeps serving without a control bucket and says once how to configure one', { timeout: 20_000 }, async () => {
    const endpoints = inject('localAws');
    // --create-table: the server's stream consumer reads the worksets table's stream.
    const cli = await startCli(['--port', '0', '--create-table'], localAwsEnv(endpoints));
    const warnings = cli.lines.filter((line) => line.level === 'WARN' && line.auth === undefined);
    expect(warnings).toHaveLength(1);
    for (const name of ['DAYLILY_CONTROL_BUCKET', 'DAYLILY_MONITOR_BUCKET', '--control-bucket', 'docs/configuration.md']) {
      expect(warnings[0]?.message).toContain(name);
    }
    expect(cli.lines.some((line) => line.message === 'Integration layer initialized successfully')).toBe(false);
    expect(cli.lines.find((line) => line.url)).toMatchObject({ backend: 'endpoints' });

    const health = await fetch(`${cli.url}/`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ control_bucket_configured: false });
    expect(await cli.stop()).toBe(0);
  });

  it('says once at start-up, and on the health route, which given settings it could not use', { timeout: 20_000 }, async () => {
    const endpoints = inject('localAws');
    const cli = await startCli(['--port', '0', '--create-table', '--control-bucket', 'cli-warnings'], {
      ...localAwsEnv(endpoints),
      DAYLILY_LEASE_SECONDS: 'an hour',
      DAYLILY_ARCHIVE_PREFIX: 'daylily_monitoring/active_worksets/old/',
    });
    const health = await fetch(`${cli.url}/`);
    const body = (await health.json()) as { control_bucket_configured: boolean; configuration_warnings?: string[] };
    expect(body.control_bucket_configured).toBe(true);
    expect(body.configuration_warnings).toHaveLength(2);
    expect(body.configuration_warnings?.[0]).toContain('DAYLILY_ARCHIVE_PREFIX');
    expect(body.configuration_warnings?.[1]).toMatch(/DAYLILY_LEASE_SECONDS="an hour".*3600.*docs\/configuration\.md/);
    // Logged when the server started, not again when the health route first read the settings.
    expect(cli.lines.filter((line) => line.level === 'WARN' && line.auth === undefined).map((line) => line.message)).toEqual(body.configuration_warnings);
    expect(await cli.stop()).toBe(0);
  });

  it("refuses to start, before any emulator, with an operator's catalogue that fails its checks, naming each problem", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'daylily-cli-catalogue-')), 'catalogue.json');
    writeFileSync(file, JSON.stringify({ version: '2', genome_builds: [], pipelines: [{ id: 'x;y' }] }));
    const started = performance.now();
    const { code, stderr } = await runCli(['--pipeline-catalogue', file, '--port', '0'], {});
    expect(code).toBe(1);
    expect(stderr).toContain(`The pipeline catalogue DAYLILY_PIPELINE_CATALOGUE=${file} is invalid`);
    expect(stderr).toMatch(/genome_builds must list at least one build.*pipelines\[0\]\.id may contain only/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('on a fresh data directory: onboards a customer, mints a token, and registers and lists with it on a server verifying tokens', { timeout: 60_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'daylily-cli-auth-'));
    tempDirs.push(dataDir);
    // No server runs: the command starts DynamoDB Local on the data directory for its duration.
    const added = JSON.parse(
      await runCommand(['customers', 'add', '--name', 'Acme Genomics', '--email', 'ops@acme.example', '--data-location', 's3://acme-data/runs', '--max-active-worksets', '2', '--data-dir', dataDir]),
    ) as { customer_id: string; data_locations: string[] };
    expect(added.customer_id).toMatch(/^acme-genomics-[0-9a-f]{8}$/);
    expect(added.data_locations).toEqual(['s3://acme-data/runs/']);
    expect(processesMentioning(dataDir)).toEqual([]);

    const cli = await startCli(['--port', String(await freePort()), '--data-dir', dataDir, '--auth', 'jwt']);
    expect(cli.lines).toContainEqual(expect.objectContaining({ message: expect.stringContaining('Authorization is on'), jwks: `${cli.url}/.well-known/jwks.json` }));
    const token = (await runCommand(['token', '--customer', added.customer_id, '--data-dir', dataDir])).trim();
    const worksets = `${cli.url}/api/customers/${added.customer_id}/worksets`;
    const body = JSON.stringify({ workset_name: 'first run', pipeline_type: 'snv', reference_genome: 'GRCh38', samples: [{ sample_id: 'S1', r1_file: 's3://acme-data/runs/S1_R1.fq.gz' }] });
    const created = await fetch(worksets, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    expect(created.status).toBe(201);
    const listed = (await (await fetch(worksets, { headers: { authorization: `Bearer ${token}` } })).json()) as { worksets: Array<{ workset_name: string }> };
    expect(listed.worksets.map((workset) => workset.workset_name)).toEqual(['first run']);
    expect((await fetch(worksets)).status).toBe(401);
    const readOnly = (await runCommand(['token', '--customer', added.customer_id, '--scope', 'read', '--data-dir', dataDir])).trim();
    expect((await fetch(worksets, { method: 'POST', headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'application/json' }, body })).status).toBe(403);

    // While the server runs, the commands use its emulator: usage counts the registration.
    const shown = JSON.parse(await runCommand(['customers', 'show', added.customer_id, '--data-dir', dataDir])) as { usage: { active_worksets: number } };
    expect(shown.usage.active_worksets).toBe(1);
    const updated = JSON.parse(await runCommand(['customers', 'update', added.customer_id, '--add-data-location', 's3://acme-archive/', '--suspend', '--data-dir', dataDir])) as { data_locations: string[]; suspended: boolean; version: number };
    expect(updated).toMatchObject({ data_locations: ['s3://acme-data/runs/', 's3://acme-archive/'], suspended: true, version: 2 });
    const listedCustomers = JSON.parse(await runCommand(['customers', 'list', '--data-dir', dataDir])) as Array<{ customer_id: string }>;
    expect(listedCustomers.map((item) => item.customer_id)).toEqual(expect.arrayContaining([added.customer_id, 'test-customer', 'acme-genomics']));
    expect(await cli.stop()).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('refuses a customers or token command it cannot carry out with the usage text (2) or the reason (1)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'daylily-cli-bad-'));
    tempDirs.push(dataDir);
    await expect(runCommand(['token', '--data-dir', dataDir])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('token needs --customer') });
    await expect(runCommand(['customers', 'add', '--name', 'X', '--data-dir', dataDir])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('email') });
    await expect(runCommand(['customers', 'add', '--name', 'X', '--email', 'x@example.org', '--aws'])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--customers-table') });
  });

  it('runs the stream consumer: each state change an event line in the data directory, the cancel an email file; `events tail` prints them', { timeout: 40_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'daylily-cli-events-'));
    tempDirs.push(dataDir);
    const cli = await startCli(['--port', String(await freePort()), '--data-dir', dataDir]);
    expect(cli.lines).toContainEqual(expect.objectContaining({ events: `JSON lines in ${join(dataDir, 'events')}`, notifications: `files in ${join(dataDir, 'mail')}, from daylily-workset-api@localhost` }));
    const worksets = `${cli.url}/api/customers/test-customer/worksets`;
    const created = await fetch(worksets, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workset_name: 'local events', pipeline_type: 'snv', reference_genome: 'GRCh38', notification_email: 'pi@lab.test' }) });
    const { workset_id: id } = (await created.json()) as { workset_id: string };
    expect((await fetch(`${worksets}/${id}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"wrong reference"}' })).status).toBe(200);

    const mail = join(dataDir, 'mail');
    await vi.waitFor(async () => expect(await readdir(mail).catch(() => [])).toHaveLength(1), { timeout: 10_000, interval: 100 });
    const message = await readFile(join(mail, (await readdir(mail))[0]!), 'utf8');
    expect(message).toContain('To: pi@lab.test');
    expect(message).toContain('Subject: Daylily workset "local events" canceled');
    const tail = await runCli(['events', 'tail', '--data-dir', dataDir], {});
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout.trim().split('\n').map((line) => line.split('  ').slice(1, 4).join(' '))).toEqual([
      `${id} - -> registering v0`,
      `${id} registering -> ready v1`,
      `${id} ready -> canceled v2`,
    ]);
    const json = await runCli(['events', 'tail', '--json', '--lines', '1', '--data-dir', dataDir], {});
    expect(JSON.parse(json.stdout)).toMatchObject({ 'detail-type': 'Workset State Change', source: 'daylily.workset-api', detail: { event_id: `${id}:2`, to: 'canceled' } });
    expect(await cli.stop()).toBe(0);
  });

  it('rejects an unknown flag with the usage text and exit code 2', async () => {
    const child = spawn(process.execPath, ['bin/daylily-workset-api.js', '--no-such-flag'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('--no-such-flag');
    expect(stderr).toContain('Usage: daylily-workset-api');
  });
});

/** Runs the CLI to its end; its exit code and output. */
async function runCli(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const name of Object.keys(env)) {
    if ((name.startsWith('DAYLILY_') || name.startsWith('AWS_') || name === 'LOG_LEVEL') && !(name in extraEnv)) delete env[name];
  }
  const child = spawn(process.execPath, ['bin/daylily-workset-api.js', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  running.delete(child);
  return { code, stdout, stderr };
}

/**
 * Tables and a bucket of the test's own on the shared emulators, the clients to seed them, and the
 * environment a command process needs to reach them (as `npm start` sets it for its handlers).
 */
async function scratchBackend(slug: string) {
  const endpoints = inject('localAws');
  const id = `${slug}-${randomBytes(4).toString('hex')}`;
  const tables = { worksets: `${id}-worksets`, customers: `${id}-customers`, idempotency: `${id}-idempotency`, notifications: `${id}-notifications` };
  const bucket = id;
  const env = localAwsEnv(endpoints);
  const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const s3 = new S3Client({ endpoint: endpoints.s3, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  await Promise.all([ensureTables(dynamodb, tables), s3.send(new CreateBucketCommand({ Bucket: bucket }))]);
  return { tables, bucket, ddb: DynamoDBDocumentClient.from(dynamodb), s3, env };
}

describe('daylily-workset-api settle', () => {
  it('settles every registering record past the grace period against the endpoints it is given, and a dry run only says what it would do', { timeout: 30_000 }, async () => {
    const { tables, bucket, ddb, s3, env } = await scratchBackend('cli-settle');

    // Two registrations that never finished, ten minutes ago or more: a keyless one with every file and
    // daylily.ready (a phantom for an S3-only monitor), and a keyed one still missing a file.
    const registering = (worksetId: string, registration: WorksetRecord['registration'], minutesAgo: number): WorksetRecord => {
      const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
      return {
        workset_id: worksetId,
        customer_id: 'lab-1',
        workset_name: worksetId,
        state: 'registering',
        priority: 'normal',
        queue_order: queueOrder('normal', at),
        pipeline_type: 'snv',
        reference_genome: 'GRCh38',
        sample_count: 0,
        control_bucket: bucket,
        control_prefix: `${DEFAULT_CONTROL_PREFIX}${worksetId}/`,
        export_uri: `s3://${bucket}/${DEFAULT_CONTROL_PREFIX}${worksetId}/results/`,
        enable_qc: true,
        archive_results: true,
        created_at: at,
        updated_at: at,
        state_history: [{ from: null, to: 'registering', reason: 'Registration started', actor: 'lab-1', at }],
        registration,
      };
    };
    const phantom = registering('phantom-00000001', {}, 11);
    const waiting = registering('waiting-00000002', { idempotency_key: 'lab-1#k' }, 10);
    for (const record of [phantom, waiting]) await ddb.send(new PutCommand({ TableName: tables.worksets, Item: record }));
    const put = (key: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    for (const name of ['daylily_work.yaml', 'daylily_info.yaml', 'daylily.ready']) await put(`${phantom.control_prefix}${name}`);
    await put(`${waiting.control_prefix}daylily_work.yaml`);
    const keysOf = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((object) => object.Key);

    const args = ['settle', '--table-name', tables.worksets, '--customers-table', tables.customers, '--idempotency-table', tables.idempotency, '--control-bucket', bucket];
    try {
      const dry = await runCli([...args, '--dry-run'], env);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout.split('\n')).toEqual([
        `rolled-back\t${phantom.workset_id}\tregistering`,
        `awaiting-retry\t${waiting.workset_id}\tregistering\tmissing: daylily_info.yaml`,
        'would settle 2 registering record(s) older than 300 s: 1 rolled-back, 1 awaiting-retry.',
        '',
      ]);
      expect(await keysOf(phantom.control_prefix)).toHaveLength(3);

      const young = await runCli([...args, '--older-than', '1h'], env);
      expect(young.stdout).toBe('No registering record older than 3600 s.\n');

      const pass = await runCli(args, env);
      expect(pass.code, pass.stderr).toBe(0);
      expect(pass.stdout).toContain(`rolled-back\t${phantom.workset_id}`);
      expect((await ddb.send(new GetCommand({ TableName: tables.worksets, Key: { workset_id: phantom.workset_id } }))).Item).toBeUndefined();
      expect(await keysOf(phantom.control_prefix)).toEqual([]);
      expect((await ddb.send(new GetCommand({ TableName: tables.worksets, Key: { workset_id: waiting.workset_id } }))).Item).toMatchObject({ state: 'registering' });
    } finally {
      ddb.destroy();
      s3.destroy();
    }
  });

  it('rejects a duration it cannot read with the usage text and exit code 2', async () => {
    const result = await runCli(['settle', '--older-than', 'soon'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--older-than must be a duration');
  });
});

describe('daylily-workset-api reconcile', () => {
  it('repairs the drift one pass finds, against the endpoints it is given; a dry run only reports it, and the next pass finds nothing', { timeout: 40_000 }, async () => {
    const { tables, bucket, ddb, s3, env } = await scratchBackend('cli-rec');
    // A ready workset whose daylily.ready is gone, and a folder with daylily.ready and no record.
    const at = new Date(Date.now() - 10 * 60_000).toISOString();
    const ready = `ready-${randomBytes(4).toString('hex')}`;
    const folder = `${DEFAULT_CONTROL_PREFIX}${ready}/`;
    await ddb.send(new PutCommand({ TableName: tables.worksets, Item: { workset_id: ready, customer_id: 'lab-1', workset_name: ready, state: 'ready', claimable: 'ready', priority: 'normal', queue_order: queueOrder('normal', at), pipeline_type: 'snv', reference_genome: 'GRCh38', sample_count: 0, control_bucket: bucket, control_prefix: folder, export_uri: `s3://${bucket}/${folder}results/`, enable_qc: true, archive_results: true, created_at: at, updated_at: at, version: 1, state_history: [] } }));
    await ddb.send(new UpdateCommand({ TableName: tables.worksets, Key: { workset_id: '#queue-stats#00' }, UpdateExpression: 'ADD #ready :one', ExpressionAttributeNames: { '#ready': 'ready' }, ExpressionAttributeValues: { ':one': 1 } }));
    // Its customer's slot, as registration counts it (the reconciler recounts slots too).
    await ddb.send(new UpdateCommand({ TableName: tables.customers, Key: { customer_id: 'counters#lab-1' }, UpdateExpression: 'ADD active_worksets :one', ExpressionAttributeValues: { ':one': 1 } }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${folder}daylily_work.yaml`, Body: 'x' }));
    const stray = `${DEFAULT_CONTROL_PREFIX}gone-${randomBytes(4).toString('hex')}/`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${stray}daylily.ready`, Body: 'x' }));
    const keysOf = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((object) => object.Key!.slice(prefix.length));

    const args = ['reconcile', '--once', '--table-name', tables.worksets, '--customers-table', tables.customers, '--idempotency-table', tables.idempotency, '--control-bucket', bucket];
    try {
      const dry = await runCli([...args, '--dry-run'], env);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`found\tsentinels\t${ready}\tsync\tmissing daylily.ready`);
      expect(dry.stdout).toContain('dry run: 2 found, 0 repaired, 0 failed');
      expect(await keysOf(folder)).toEqual(['daylily_work.yaml']);

      const pass = await runCli(args, env);
      expect(pass.code, pass.stderr).toBe(0);
      expect(pass.stdout).toContain(`repaired\tsentinels\t${ready}\tsynced\tready: missing daylily.ready`);
      expect(pass.stdout).toContain('2 found, 2 repaired, 0 failed (sentinels 1, stray-ready 1)');
      expect(await keysOf(folder)).toEqual(['daylily.ready', 'daylily_work.yaml']);
      expect(await keysOf(stray)).toEqual([]);

      const again = await runCli(args, env);
      expect(again.stdout).toMatch(/^0 found, 0 repaired, 0 failed in \d+ ms; read 1 active, 0 flagged, 0 changed records, 1 folders\.\n$/);
    } finally {
      ddb.destroy();
      s3.destroy();
    }
  });
});
