/**
 * The labs' CLI (`daylily-workset`, cli/) against the local server with `--auth jwt`: real tokens
 * of the local issuer, the handlers on DynamoDB Local and s3rver, and the worker side driven
 * through the worker routes over HTTP, as a cluster's worker would. The CLI runs in-process
 * (`main(argv, io)`) with the environment a lab would set; its stdout, stderr and exit code are
 * what a script sees.
 */
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/lab-cli.ts';
import { ROUTES } from '../../cli/api-routes.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import type { CliIo } from '../../cli/output.ts';
import { MAX_STDIN_SHEET_BYTES } from '../../cli/sheet-source.ts';
import { HTTP_ENTRIES } from '../../infra/entry-points.ts';
import { freePort } from '../../infra/local/emulators.ts';
import { localIssuer, type LocalIssuer } from '../../infra/local/local-issuer.ts';
import { startLocalServer, type LocalServer } from '../../infra/local/server.ts';
import { CatalogueSchema, CostEstimateSchema, PreviewSchema, WorksetDetailListingSchema, WorksetDetailSchema } from '../../lambdas/lib/schemas/responses.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { piped, sampleSheet, sheetFile } from '../support/sample-sheets.ts';
import { newId } from '../support/worksets.ts';
import openapi from '../../docs/openapi.json' with { type: 'json' };

const aws = useLocalAws('lab-cli');
const CUSTOMER = newId('lab-cli');
const OTHER = newId('lab-other');

let dataDir: string;
let issuer: LocalIssuer;
let server: LocalServer;
let token: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'daylily-lab-cli-'));
  issuer = await localIssuer(dataDir);
  server = await startLocalServer({ port: 0, entries: HTTP_ENTRIES, auth: { mode: 'jwt', issuer } });
  await Promise.all([aws.seedCustomer(CUSTOMER), aws.seedCustomer(OTHER)]);
  token = await issuer.token({ customerId: CUSTOMER });
});
afterAll(async () => {
  await server?.close(1_000);
  await rm(dataDir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as a lab's script would, with its connection in the environment. */
async function cli(args: readonly string[], options: { env?: Record<string, string>; fetch?: typeof fetch; tty?: boolean } & Pick<CliIo, 'stdin' | 'stdinIsTTY'> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER, ...options.env },
    stderrIsTTY: options.tty === true,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.stdinIsTTY !== undefined ? { stdinIsTTY: options.stdinIsTTY } : {}),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A minimal sheet of `count` samples under the customer's data location. */
const sheetText = (count: number) => sampleSheet(count, 's3://lab-data/runs/2026-11');
const sheet = (count: number, name = `sheet-${count}.tsv`) => sheetFile(dataDir, name, sheetText(count));

/** A worker route call over HTTP (the local server leaves the IAM routes open). */
async function worker(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** The workset of this name, once registered (the worker side learns of it from the API, not the CLI). */
async function registered(name: string): Promise<{ workset_id: string; state: string }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const listing = await worker('GET', `/worksets?customer_id=${CUSTOMER}&limit=1000`);
    const found = (listing.worksets as Array<{ workset_id: string; workset_name: string; state: string }>).find((workset) => workset.workset_name === name);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} was never registered`);
}

/** Until the CLI's output shows `text` (so each step is seen by its poll before the next one). */
async function until(read: () => string, text: string): Promise<void> {
  for (let attempt = 0; attempt < 400 && !read().includes(text); attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(read()).toContain(text);
}

describe('daylily-workset (the lab CLI) on the local server', () => {
  it('submits a 1,000-sample sheet with --wait and follows it to the completion a worker reports', { timeout: 60_000 }, async () => {
    const path = await sheet(1000);
    let stderr = '';
    let stdout = '';
    const waiting = main(['submit', '--sheet', path, '--pipeline', 'snv', '--genome', 'GRCh38', '--name', 'cli-wait', '--wait', '--interval', '100ms'], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER },
    });

    const { workset_id: id } = await registered('cli-wait');
    await until(() => stderr, `${id}  ready`);
    const lease = await worker('POST', `/worksets/${id}/lock`, { owner_id: 'cluster-a' });
    const fence = { owner_id: 'cluster-a', lease_epoch: lease.lease_epoch };
    await worker('PUT', `/worksets/${id}/state`, { ...fence, state: 'in_progress', reason: 'picked up by cluster-a' });
    await until(() => stderr, `${id}  in_progress`);
    await worker('POST', `/worksets/${id}/progress`, { ...fence, current_step: 'align' });
    await until(() => stderr, `${id}  in_progress  align`);
    await worker('PUT', `/worksets/${id}/state`, { ...fence, state: 'complete', reason: 'all samples done' });

    expect(await waiting).toBe(EXIT.ok);
    // Plain lines (stderr is no terminal): one per change, in order.
    const progress = stderr.split('\n').filter((line) => line.startsWith(id));
    expect(progress.map((line) => line.split('  ').slice(1, -1).join(' '))).toEqual(['ready', 'in_progress', 'in_progress align', 'complete align']);
    expect(stderr).toMatch(/Registered .* \(Idempotency-Key cli-[0-9a-f-]{36}\)/);
    expect(stdout).toMatch(new RegExp(`workset:\\s+${id}\\n`));
    expect(stdout).toMatch(/state:\s+complete\n/);
    expect(stdout).toMatch(/samples:\s+1000\n/);
    expect(stdout).toMatch(/genome build:\s+hg38\n/);
    // What the monitor reads: the sheet's 1,000 rows in stage_samples.tsv.
    const detail = await worker('GET', `/worksets/${id}`);
    const tsv = await aws.getText(`${detail.control_folder.replace(`s3://${aws.bucket}/`, '')}stage_samples.tsv`);
    expect(tsv?.trim().split('\n')).toHaveLength(1001);
    expect(tsv).toContain('s3://lab-data/runs/2026-11/S001000_R2.fastq.gz');
  });

  it('status --follow --json prints each change as a JSON line and exits 4 when a worker reports an error', { timeout: 30_000 }, async () => {
    const submitted = await cli(['--json', 'submit', '--sheet', await sheet(3, 'follow.tsv'), '--pipeline', 'germline_wgs_snv', '--genome', 'hg38']);
    expect(submitted.code).toBe(EXIT.ok);
    const workset = v.parse(WorksetDetailSchema, JSON.parse(submitted.stdout));
    expect(workset).toMatchObject({ state: 'ready', sample_count: 3, workset_name: 'follow', customer_id: CUSTOMER });

    let stdout = '';
    let stderr = '';
    const following = main(['status', workset.workset_id, '--follow', '--json', '--interval', '100ms'], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER },
    });
    await until(() => stdout, '"state":"ready"');
    const lease = await worker('POST', `/worksets/${workset.workset_id}/lock`, { owner_id: 'cluster-b' });
    const fence = { owner_id: 'cluster-b', lease_epoch: lease.lease_epoch };
    await worker('PUT', `/worksets/${workset.workset_id}/state`, { ...fence, state: 'in_progress', reason: 'started' });
    await until(() => stdout, '"state":"in_progress"');
    await worker('PUT', `/worksets/${workset.workset_id}/state`, { ...fence, state: 'error', reason: 'bwa-mem2 crashed', error_details: 'exit 137' });

    expect(await following).toBe(EXIT.unfinished);
    const lines = stdout.trim().split('\n').map((line) => v.parse(WorksetDetailSchema, JSON.parse(line)));
    expect(lines.map((line) => line.state)).toEqual(['ready', 'in_progress', 'error']);
    expect(lines.at(-1)).toMatchObject({ error_details: 'exit 137', state_history: expect.arrayContaining([expect.objectContaining({ to: 'error', actor: 'cluster-b' })]) });

    // The history the worker left, as `logs` shows it.
    const logs = await cli(['logs', workset.workset_id]);
    expect(logs.code).toBe(EXIT.ok);
    expect(logs.stdout).toMatch(/in_progress\s+error\s+cluster-b\s+bwa-mem2 crashed/);
  });

  it('--json answers are the documented shapes: pipelines, estimate, preview, list', async () => {
    const pipelines = await cli(['pipelines', '--json']);
    expect(pipelines.code).toBe(EXIT.ok);
    expect(v.parse(CatalogueSchema, JSON.parse(pipelines.stdout)).pipelines.map((p) => p.id)).toContain('germline_wgs_snv');

    const estimate = await cli(['estimate', '--pipeline', 'snv', '--samples', '12', '--priority', 'urgent', '--json']);
    expect(estimate.code).toBe(EXIT.ok);
    expect(v.parse(CostEstimateSchema, JSON.parse(estimate.stdout))).toMatchObject({ pipeline_type: 'germline_wgs_snv', sample_count: 12, priority: 'urgent' });

    const preview = await cli(['preview', '--sheet', await sheet(2, 'preview.tsv'), '--pipeline', 'sv', '--genome', 'b37', '--json']);
    expect(preview.code).toBe(EXIT.ok);
    const answer = v.parse(PreviewSchema, JSON.parse(preview.stdout));
    expect(answer).toMatchObject({ valid: true, pipeline_type: 'germline_wgs_snv_sv', genome_build: 'b37' });
    expect(answer.files?.['stage_samples.tsv']).toContain('S000002');

    const list = await cli(['list', '--json', '--limit', '100']);
    expect(list.code).toBe(EXIT.ok);
    const listing = v.parse(WorksetDetailListingSchema, JSON.parse(list.stdout));
    expect(listing.worksets.map((w) => w.workset_name)).toEqual(expect.arrayContaining(['cli-wait', 'follow']));
    expect(listing.worksets.every((w) => w.customer_id === CUSTOMER)).toBe(true);
  });

  it('prints tables for people: pipelines, list, and a preview\'s daylily_work.yaml', async () => {
    const pipelines = await cli(['pipelines']);
    expect(pipelines.stdout.split('\n')[0]).toMatch(/^PIPELINE\s+ALIASES\s+GENOMES\s+TAG\s+TITLE$/);
    expect(pipelines.stdout).toMatch(/\ngermline_wgs_snv\s+germline,snv\s/);

    const list = await cli(['list', '--state', 'complete']);
    expect(list.code).toBe(EXIT.ok);
    const rows = list.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^WORKSET\s+NAME\s+STATE\s+PIPELINE\s+GENOME\s+SAMPLES\s+CREATED$/);
    expect(rows.slice(1)).toEqual([expect.stringMatching(/\scli-wait\s+complete\s+germline_wgs_snv\s+hg38\s+1000\s/)]);

    const yaml = await cli(['preview', '--sheet', await sheet(1, 'yaml.tsv'), '--pipeline', 'snv', '--genome', 'GRCh38', '--file', 'daylily_work.yaml']);
    expect(yaml.code).toBe(EXIT.ok);
    expect(yaml.stdout).toContain('genome_build: hg38');
  });

  it('cancel ends a ready workset, and a follower of it exits 4', async () => {
    const submitted = await cli(['--json', 'submit', '--sheet', await sheet(1, 'to-cancel.tsv'), '--pipeline', 'snv', '--genome', 'hg38']);
    const { workset_id: id } = JSON.parse(submitted.stdout) as { workset_id: string };
    const canceled = await cli(['cancel', id, '--reason', 'wrong sheet']);
    expect(canceled.code).toBe(EXIT.ok);
    expect(canceled.stdout).toMatch(/state:\s+canceled\n/);
    const followed = await cli(['status', id, '--follow', '--interval', '100ms']);
    expect(followed.code).toBe(EXIT.unfinished);
    expect(followed.stderr).toContain(`${id}  canceled`);
    // On a terminal the progress line is rewritten in place, and ends with its line break.
    const onTerminal = await cli(['status', id, '--follow', '--interval', '100ms'], { tty: true });
    expect(onTerminal.code).toBe(EXIT.unfinished);
    expect(onTerminal.stderr).toMatch(new RegExp(`^\\r\\u001b\\[2K${id}  canceled  \\(\\d+s\\)\\n$`));
  });
});

describe('following through an unsteady API', () => {
  /** A fetch whose workset reads fail (as a dropped connection does) `failures` times, then reach the server. */
  const dropping = (failures: number): typeof fetch => {
    let left = failures;
    return async (input, init) => {
      if ((init?.method ?? 'GET') === 'GET' && left > 0) {
        left--;
        throw new TypeError('fetch failed', { cause: new Error('read ECONNRESET') });
      }
      return fetch(input, init);
    };
  };

  async function follow(id: string, failures: number): Promise<{ code: number; stderr: string; pauses: number }> {
    let stderr = '';
    let pauses = 0;
    const code = await main(['status', id, '--follow', '--interval', '5s'], {
      stdout: () => undefined,
      stderr: (text) => (stderr += text),
      env: { DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER },
      fetch: dropping(failures),
      sleep: async () => void pauses++,
    });
    return { code, stderr, pauses };
  }

  it('a few failed polls are retried after a pause each; five in a row end the follow with 3', async () => {
    const submitted = await cli(['--json', 'submit', '--sheet', await sheet(1, 'unsteady.tsv'), '--pipeline', 'snv', '--genome', 'hg38']);
    const { workset_id: id } = JSON.parse(submitted.stdout) as { workset_id: string };
    expect((await cli(['cancel', id])).code).toBe(EXIT.ok);

    const recovered = await follow(id, 4);
    expect(recovered.code).toBe(EXIT.unfinished);
    expect(recovered.stderr.match(/\(poll failed: .*read ECONNRESET.*; retrying\)/g)).toHaveLength(4);
    expect(recovered.pauses).toBe(4);
    expect(recovered.stderr).toContain(`${id}  canceled`);

    const lost = await follow(id, 5);
    expect(lost.code).toBe(EXIT.unavailable);
    expect(lost.stderr).toMatch(/error: .* could not be reached \(read ECONNRESET\)/);
  });
});

/** A stdin the run must not open. */
const untouched = (): AsyncIterable<Uint8Array> => {
  throw new Error('stdin was opened');
};

/** Records the API requests a run sends. */
function recorder(): { fetch: typeof fetch; sent: Array<{ method: string; path: string; body: string }> } {
  const sent: Array<{ method: string; path: string; body: string }> = [];
  return {
    sent,
    fetch: (input, init) => {
      sent.push({ method: init?.method ?? 'GET', path: new URL(String(input)).pathname, body: String(init?.body ?? '') });
      return fetch(input, init);
    },
  };
}

describe('--sheet -: the sheet on stdin', () => {
  it('submits a sheet piped on stdin in the body; registration stores its rows', async () => {
    const text = sheetText(200);
    const recording = recorder();
    const run = await cli(['--json', 'submit', '--sheet', '-', '--pipeline', 'snv', '--genome', 'hg38', '--name', 'lims-export-1'], { stdin: piped(text, 777), fetch: recording.fetch });
    expect(run.code).toBe(EXIT.ok);
    const workset = v.parse(WorksetDetailSchema, JSON.parse(run.stdout));
    expect(workset).toMatchObject({ workset_name: 'lims-export-1', sample_count: 200 });
    const registration = recording.sent.find((request) => request.method === 'POST' && request.path === `/api/customers/${CUSTOMER}/worksets`)!;
    expect(JSON.parse(registration.body).samples_tsv).toBe(text);
    const tsv = await aws.getText(`${workset.control_folder.replace(`s3://${aws.bucket}/`, '')}stage_samples.tsv`);
    expect(tsv?.trim().split('\n')).toHaveLength(201);
    expect(tsv).toContain('s3://lab-data/runs/2026-11/S000200_R2.fastq.gz');
  });

  it('previews a sheet piped on stdin', async () => {
    const run = await cli(['preview', '--sheet', '-', '--pipeline', 'snv', '--genome', 'GRCh38', '--name', 'lims-preview', '--file', 'stage_samples.tsv'], { stdin: piped(sheetText(5), 64) });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout.trim().split('\n')).toHaveLength(6);
    expect(run.stdout).toContain('s3://lab-data/runs/2026-11/S000005_R1.fastq.gz');
  });

  it('the launcher reads process.stdin: a sheet piped into bin/daylily-workset.js is previewed', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ['bin/daylily-workset.js', '--json', 'preview', '--sheet', '-', '--pipeline', 'snv', '--genome', 'hg38', '--name', 'piped'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { PATH: process.env.PATH, DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stdin.end(sheetText(3));
    const [code] = await once(child, 'exit');
    expect(code).toBe(EXIT.ok);
    const preview = v.parse(PreviewSchema, JSON.parse(stdout));
    expect(preview.valid).toBe(true);
    expect(preview.files?.['stage_samples.tsv']).toContain('S000003_R2.fastq.gz');
  });

  it('an empty stdin is a usage error (2), and nothing is registered', async () => {
    const recording = recorder();
    const run = await cli(['submit', '--sheet', '-', '--pipeline', 'snv', '--genome', 'hg38', '--name', 'empty'], { stdin: piped(''), fetch: recording.fetch });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toBe('error: --sheet - (stdin) is empty.\n');
    expect(recording.sent).toEqual([]);
  });

  it(`a stdin over ${MAX_STDIN_SHEET_BYTES} bytes is a usage error (2), read no further than the cap`, async () => {
    const chunk = Buffer.alloc(8 * 1024 * 1024, 'A');
    let pulled = 0;
    let closed = false;
    // Endless if read fully; its finally runs when the reader lets go.
    const endless = async function* (): AsyncGenerator<Uint8Array> {
      try {
        for (;;) {
          pulled++;
          yield chunk;
        }
      } finally {
        closed = true;
      }
    };
    const recording = recorder();
    const run = await cli(['submit', '--sheet', '-', '--pipeline', 'snv', '--genome', 'hg38', '--name', 'endless'], { stdin: endless, fetch: recording.fetch });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain(`--sheet - (stdin) is over ${MAX_STDIN_SHEET_BYTES} bytes`);
    expect(pulled).toBe(MAX_STDIN_SHEET_BYTES / chunk.length + 1);
    expect(closed).toBe(true);
    expect(recording.sent).toEqual([]);
  });

  it('a terminal on stdin is a usage error (2) saying to pipe a sheet; stdin is never read', async () => {
    const run = await cli(['submit', '--sheet', '-', '--pipeline', 'snv', '--genome', 'hg38', '--name', 'typed'], { stdin: untouched, stdinIsTTY: true });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('which is a terminal: pipe a sheet in');
  });

  it('--sheet - needs --name (2), asked before stdin is read', async () => {
    const run = await cli(['submit', '--sheet', '-', '--pipeline', 'snv', '--genome', 'hg38'], { stdin: untouched });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('Name the workset: --name');
  });
});

describe('exit codes', () => {
  it('a 422 is a refusal (1): the problem on stderr naming the field, and on stdout with --json', async () => {
    const refused = await cli(['submit', '--sheet', await sheet(1, 'bad.tsv'), '--pipeline', 'not-a-pipeline', '--genome', 'hg38']);
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.stderr).toMatch(/^error: 422 /);
    expect(refused.stderr).toMatch(/\n {2}pipeline_type\s+.*germline_wgs_snv/);
    expect(refused.stdout).toBe('');

    const json = await cli(['--json', 'submit', '--sheet', await sheet(1, 'bad2.tsv'), '--pipeline', 'snv', '--genome', 'hg19']);
    expect(json.code).toBe(EXIT.refused);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 422, errors: [expect.objectContaining({ field: 'reference_genome' })] });
  });

  it('a sheet with a bad row is refused with its row number; a preview of it exits 1 and lists the problem', async () => {
    const path = join(dataDir, 'bad-row.tsv');
    await writeFile(path, 'sample_id\tr1\tr2\nA\ts3://lab-data/a_R1.fq.gz\ts3://lab-data/a_R2.fq.gz\nA\ts3://lab-data/b_R1.fq.gz\ts3://lab-data/b_R2.fq.gz\n');
    const preview = await cli(['preview', '--sheet', path, '--pipeline', 'snv', '--genome', 'hg38']);
    expect(preview.code).toBe(EXIT.refused);
    expect(preview.stdout).toMatch(/valid:\s+no/);
    expect(preview.stdout).toMatch(/samples_tsv/);
  });

  it('another customer is a refusal too (404), and no token on a jwt API is one (401)', async () => {
    expect((await cli(['list', '--customer', OTHER])).code).toBe(EXIT.refused);
    const anonymous = await cli(['list'], { env: { DAYLILY_TOKEN: '' } });
    expect(anonymous.code).toBe(EXIT.refused);
    expect(anonymous.stderr).toMatch(/^error: 401/);
  });

  it('an unreachable API is 3', async () => {
    const port = await freePort();
    const run = await cli(['pipelines'], { env: { DAYLILY_API_URL: `http://127.0.0.1:${port}` } });
    expect(run.code).toBe(EXIT.unavailable);
    expect(run.stderr).toContain(`http://127.0.0.1:${port} could not be reached`);
  });

  it.each<[string, string[], Record<string, string>?]>([
    ['an unknown flag', ['list', '--bogus']],
    ['a missing argument', ['status']],
    ['a bad number', ['estimate', '--pipeline', 'snv', '--samples', 'twelve']],
    ['a bad duration', ['status', 'ws-1', '--follow', '--interval', 'soon']],
    ['a bad choice', ['list', '--state', 'done']],
    ['a missing required option', ['submit', '--pipeline', 'snv', '--genome', 'hg38']],
    ['an unknown command', ['sumbit']],
    ['a missing sheet file', ['submit', '--sheet', '/nonexistent/samples.tsv', '--pipeline', 'snv', '--genome', 'hg38']],
    ['no customer', ['list'], { DAYLILY_CUSTOMER: '' }],
    ['a base URL that is no URL', ['pipelines'], { DAYLILY_API_URL: 'api.example.org' }],
  ])('%s is a usage error (2)', async (_case, args, env = {}) => {
    const run = await cli(args, { env });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toMatch(/error/);
    expect(run.stdout).toBe('');
  });

  it('a token is never sent in clear text to another host (2)', async () => {
    const run = await cli(['pipelines'], { env: { DAYLILY_API_URL: 'http://api.example.org' } });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('HTTPS only');
  });
});

describe('submit retries', () => {
  it('a registration whose answer was lost (503) is retried with the same Idempotency-Key and registers once', async () => {
    const keys: string[] = [];
    let failed = false;
    // The first registration reaches the server and registers; its answer is replaced by a 503.
    const flaky: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(String(input));
      if (init?.method === 'POST' && url.pathname === `/api/customers/${CUSTOMER}/worksets`) {
        keys.push(String((init.headers as Record<string, string>)['Idempotency-Key']));
        if (!failed) {
          failed = true;
          await response.arrayBuffer();
          return new Response(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'injected' }), { status: 503, headers: { 'content-type': 'application/problem+json' } });
        }
      }
      return response;
    };
    let slept = 0;
    let stdout = '';
    let stderr = '';
    const code = await main(['--json', 'submit', '--sheet', await sheet(2, 'retried.tsv'), '--pipeline', 'snv', '--genome', 'hg38'], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER },
      fetch: flaky,
      sleep: async (ms) => void (slept += ms),
    });
    expect(code).toBe(EXIT.ok);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^cli-/);
    expect(keys[1]).toBe(keys[0]);
    expect(slept).toBe(1000);
    expect(stderr).toContain('retrying in 1 s with the same Idempotency-Key');
    const listing = await worker('GET', `/worksets?customer_id=${CUSTOMER}&limit=1000`);
    const named = (listing.worksets as Array<{ workset_id: string; workset_name: string }>).filter((w) => w.workset_name === 'retried');
    expect(named).toHaveLength(1);
    expect(JSON.parse(stdout).workset_id).toBe(named[0]!.workset_id);
  });

  it('gives up after --retries and exits 3, naming the key to retry with', async () => {
    const down: typeof fetch = async () => new Response(JSON.stringify({ title: 'Service Unavailable', status: 503, detail: 'control bucket unreachable' }), { status: 503, headers: { 'content-type': 'application/problem+json' } });
    let stderr = '';
    const code = await main(['submit', '--sheet', await sheet(1, 'down.tsv'), '--pipeline', 'snv', '--genome', 'hg38', '--retries', '2', '--idempotency-key', 'lims-run-42'], {
      stdout: () => undefined,
      stderr: (text) => (stderr += text),
      env: { DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER },
      fetch: down,
      sleep: async () => undefined,
    });
    expect(code).toBe(EXIT.unavailable);
    expect(stderr).toContain('after 3 attempts; retry with --idempotency-key lims-run-42');
  });
});

describe('SigV4 (--aws)', () => {
  const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

  /** A stand-in for API Gateway that records each request and answers an empty listing. */
  interface Recorded {
    readonly method: string;
    readonly path: string;
    readonly headers: IncomingMessage['headers'];
    readonly body: string;
  }

  /** A stand-in for API Gateway that records each request and answers an empty listing, or a canceled workset. */
  async function recorder(): Promise<{ url: string; requests: Recorded[]; close: () => Promise<void> }> {
    const requests: Recorded[] = [];
    const http = createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      requests.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const answer = req.method === 'GET' ? { worksets: [], next_token: null } : { workset_id: 'ws-1', state: 'canceled' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, requests, close: () => new Promise((resolve) => http.close(() => resolve())) };
  }

  const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
  const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

  /**
   * The SigV4 signature of a received request, computed here by hand from AWS's specification
   * (canonical request, string to sign, the derived key), as API Gateway checks it: nothing of
   * the CLI's signer or its hash is used.
   */
  function expectedAuthorization(request: Recorded, secretAccessKey: string): string {
    const url = new URL(request.path, `http://${request.headers.host}`);
    const authorization = String(request.headers.authorization);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!;
    const scope = /Credential=[^/]+\/([^,]+)/.exec(authorization)![1]!;
    const [day, region, service] = scope.split('/');
    const query = [...url.searchParams.entries()].map(([name, value]) => [rfc3986(name), rfc3986(value)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const canonical = [
      request.method,
      url.pathname.split('/').map((segment) => rfc3986(decodeURIComponent(segment))).join('/'),
      query.map(([name, value]) => `${name}=${value}`).join('&'),
      ...signedHeaders.split(';').map((name) => `${name}:${String(request.headers[name]).trim().replace(/\s+/g, ' ')}`),
      '',
      signedHeaders,
      sha256(request.body),
    ].join('\n');
    const amzDate = String(request.headers['x-amz-date']);
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day!), region!), service!), 'aws4_request');
    return `AWS4-HMAC-SHA256 Credential=${KEYS.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
  }

  it('signs the operator routes for execute-api with the environment\'s keys; the signature verifies', async () => {
    const api = await recorder();
    try {
      const run = await cli(['list', '--aws', '--state', 'ready', '--customer', CUSTOMER], {
        env: { DAYLILY_API_URL: api.url, DAYLILY_TOKEN: '', AWS_REGION: 'us-west-2', ...{ AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey } },
      });
      expect(run.code).toBe(EXIT.ok);
      expect(api.requests).toHaveLength(1);
      const [request] = api.requests;
      expect(request!.path).toMatch(/^\/worksets\?/);
      expect(new URL(request!.path, api.url).searchParams.get('customer_id')).toBe(CUSTOMER);
      const authorization = String(request!.headers.authorization);
      expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
      expect(authorization).toBe(expectedAuthorization(request!, KEYS.secretAccessKey));
      expect(authorization).not.toBe(expectedAuthorization(request!, `${KEYS.secretAccessKey}x`));
      expect(request!.headers['x-amz-security-token']).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  it('cancel --aws is the operator\'s override, its body signed with the request', async () => {
    const api = await recorder();
    try {
      const run = await cli(['cancel', 'ws-1', '--aws', '--region', 'us-west-2', '--reason', 'sheet withdrawn by the lab'], {
        env: { DAYLILY_API_URL: api.url, DAYLILY_TOKEN: '', AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey, AWS_SESSION_TOKEN: 'session-token-1' },
      });
      expect(run.code).toBe(EXIT.ok);
      const [request] = api.requests;
      expect(request).toMatchObject({ method: 'PUT', path: '/worksets/ws-1/override' });
      expect(JSON.parse(request!.body)).toEqual({ state: 'canceled', reason: 'sheet withdrawn by the lab' });
      expect(request!.headers['x-amz-security-token']).toBe('session-token-1');
      expect(String(request!.headers.authorization)).toBe(expectedAuthorization(request!, KEYS.secretAccessKey));
      // A body changed on the way no longer matches the signature.
      expect(String(request!.headers.authorization)).not.toBe(expectedAuthorization({ ...request!, body: request!.body.replace('withdrawn', 'approved') }, KEYS.secretAccessKey));
    } finally {
      await api.close();
    }
  });

  it('refuses --aws on a lab route (2): API Gateway takes a bearer token there', async () => {
    const run = await cli(['submit', '--aws', '--region', 'us-west-2', '--sheet', await sheet(1, 'aws.tsv'), '--pipeline', 'snv', '--genome', 'hg38'], {
      env: { DAYLILY_TOKEN: '', AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey },
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('lab route');
  });
});

describe('the routes the CLI calls', () => {
  it('are documented in docs/openapi.json with their method (the upload route excepted until it lands)', () => {
    const paths = openapi.paths as Record<string, Record<string, unknown>>;
    for (const [name, route] of Object.entries(ROUTES)) {
      if (name === 'upload') continue;
      expect(paths[route.path]?.[route.method.toLowerCase()], `${name}: ${route.method} ${route.path}`).toBeDefined();
    }
  });
});
