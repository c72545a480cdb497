/**
 * The CLI's upload path on the local server (needs the uploads branch: the route
 * `POST /api/customers/{customer_id}/uploads` and `samples_upload_id` on registration and
 * preview). A sheet over the CLI's threshold is staged through a real upload — the route's
 * presigned form posted to the local S3 — and registered by its id, never in the body.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, UPLOAD_PATH } from '../../cli/api-routes.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import { main } from '../../cli/lab-cli.ts';
import { UPLOAD_THRESHOLD_BYTES } from '../../cli/sheet-source.ts';
import { HTTP_ENTRIES } from '../../infra/entry-points.ts';
import { localIssuer, type LocalIssuer } from '../../infra/local/local-issuer.ts';
import { startLocalServer, type LocalServer } from '../../infra/local/server.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { piped, sampleSheet, sheetFile } from '../support/sample-sheets.ts';
import { newId } from '../support/worksets.ts';
import openapi from '../../docs/openapi.json' with { type: 'json' };

const aws = useLocalAws('lab-cli-upload');
const CUSTOMER = newId('lab-upload');

let dataDir: string;
let issuer: LocalIssuer;
let server: LocalServer;
let token: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'daylily-lab-cli-upload-'));
  issuer = await localIssuer(dataDir);
  server = await startLocalServer({ port: 0, entries: HTTP_ENTRIES, auth: { mode: 'jwt', issuer } });
  await aws.seedCustomer(CUSTOMER);
  token = await issuer.token({ customerId: CUSTOMER });
});
afterAll(async () => {
  await server?.close(1_000);
  await rm(dataDir, { recursive: true, force: true });
});

/** The long, realistic paths of a sequencing run. */
const RUN = 's3://lab-data/sequencing/2026-11-30/NovaSeqX-run-4711/project-acme-wgs-cohort';
const sheetText = (count: number) => sampleSheet(count, RUN, (id, read) => `${id}/${id}_S1_L001_R${read}_001.fastq.gz`);
const sheet = (count: number, name: string) => sheetFile(dataDir, name, sheetText(count));

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

/** Runs the CLI, recording every request it sends (the API's and the storage's). */
async function cli(args: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string; sent: Sent[] }> {
  let stdout = '';
  let stderr = '';
  const sent: Sent[] = [];
  const recording: typeof fetch = (input, init) => {
    sent.push({ method: init?.method ?? 'GET', url: String(input), body: init?.body });
    return fetch(input, init);
  };
  const code = await main(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { DAYLILY_API_URL: server.url, DAYLILY_TOKEN: token, DAYLILY_CUSTOMER: CUSTOMER },
    fetch: recording,
    ...(stdin !== undefined ? { stdin: piped(stdin) } : {}),
  });
  return { code, stdout, stderr, sent };
}

describe('daylily-workset with uploads (the uploads branch)', () => {
  it('the upload route is a lab route of the entry-point table, documented in docs/openapi.json', () => {
    const entry = HTTP_ENTRIES.find((candidate) => candidate.trigger.method === 'POST' && candidate.trigger.path === UPLOAD_PATH);
    expect(entry?.trigger.auth).toBe('jwt');
    expect(ROUTES.upload).toEqual({ method: 'POST', path: UPLOAD_PATH, auth: 'jwt' });
    expect((openapi.paths as Record<string, Record<string, unknown>>)[UPLOAD_PATH]?.post).toBeDefined();
  });

  it(`submits a sheet of 20,000 samples over ${UPLOAD_THRESHOLD_BYTES} bytes through an upload, without --upload`, { timeout: 180_000 }, async () => {
    const path = await sheet(20_000, 'cohort.tsv');
    expect((await stat(path)).size).toBeGreaterThan(UPLOAD_THRESHOLD_BYTES);

    const run = await cli(['--json', 'submit', '--sheet', path, '--pipeline', 'snv', '--genome', 'hg38']);
    expect(run.stderr).toContain('Uploading');
    expect(run.code).toBe(EXIT.ok);
    const workset = JSON.parse(run.stdout) as { workset_id: string; sample_count: number; control_folder: string; state: string };
    expect(workset).toMatchObject({ sample_count: 20_000, state: 'ready' });

    // The upload's form went to the storage; the registration named the upload, small.
    const registration = run.sent.find((request) => request.method === 'POST' && new URL(request.url).pathname === `/api/customers/${CUSTOMER}/worksets`)!;
    const body = JSON.parse(String(registration.body)) as Record<string, unknown>;
    expect(body.samples_upload_id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(body).not.toHaveProperty('samples_tsv');
    expect(String(registration.body).length).toBeLessThan(1024);
    expect(run.sent.some((request) => request.body instanceof FormData)).toBe(true);

    const key = `${workset.control_folder.replace(`s3://${aws.bucket}/`, '')}stage_samples.tsv`;
    const tsv = await aws.getText(key);
    expect(tsv?.trim().split('\n')).toHaveLength(20_001);
    expect(tsv).toContain('S020000_S1_L001_R2_001.fastq.gz');
  });

  it('previews a small sheet through an upload with --upload', { timeout: 60_000 }, async () => {
    const run = await cli(['--json', 'preview', '--sheet', await sheet(3, 'small.tsv'), '--pipeline', 'snv', '--genome', 'GRCh38', '--upload']);
    expect(run.code).toBe(EXIT.ok);
    const preview = JSON.parse(run.stdout) as { valid: boolean; files: Record<string, string> };
    expect(preview.valid).toBe(true);
    expect(preview.files['stage_samples.tsv']).toContain('S000003_S1_L001_R1_001.fastq.gz');
  });

  it('submits a sheet piped on stdin through an upload with --upload: the form\'s file is its bytes, as TSV', { timeout: 60_000 }, async () => {
    const text = sheetText(50);
    const run = await cli(['--json', 'submit', '--sheet', '-', '--name', 'lims-piped', '--pipeline', 'snv', '--genome', 'hg38', '--upload'], text);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toContain(`Uploading stdin (${Buffer.byteLength(text)} bytes)…`);
    const form = run.sent.find((request) => request.body instanceof FormData)!.body as FormData;
    const file = form.get('file') as File;
    expect(file.type).toBe('text/tab-separated-values');
    expect(await file.text()).toBe(text);
    const registration = run.sent.find((request) => request.method === 'POST' && new URL(request.url).pathname === `/api/customers/${CUSTOMER}/worksets`)!;
    expect(JSON.parse(String(registration.body))).not.toHaveProperty('samples_tsv');

    const workset = JSON.parse(run.stdout) as { workset_name: string; sample_count: number; control_folder: string };
    expect(workset).toMatchObject({ workset_name: 'lims-piped', sample_count: 50 });
    const tsv = await aws.getText(`${workset.control_folder.replace(`s3://${aws.bucket}/`, '')}stage_samples.tsv`);
    expect(tsv?.trim().split('\n')).toHaveLength(51);
    expect(tsv).toContain('S000050_S1_L001_R2_001.fastq.gz');
  });
});
