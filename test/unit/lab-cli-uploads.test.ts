/**
 * The CLI's side of the upload contract (issue 11), against a stand-in of the API and of the
 * storage it points at (real HTTP, the form parsed as S3 would read it): when a sheet is sent
 * in the body and when it is staged, what the form holds and in which order, and what a refusal
 * of either side turns into. test/local/lab-cli-upload.test.ts runs the same path on the local
 * server's real upload route.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/lab-cli.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import { UPLOAD_THRESHOLD_BYTES } from '../../cli/sheet-source.ts';

const CUSTOMER = 'acme-genomics';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

let dataDir: string;
let api: Server;
let apiUrl: string;
let received: Received[];
/** How the stand-in answers: the upload route, and the storage's form POST. */
let uploads: 'offered' | 'missing';
let storageStatus: number;

const read = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'daylily-cli-uploads-'));
  api = createServer(async (req, res) => {
    const body = await read(req);
    received.push({ method: req.method!, path: req.url!, contentType: String(req.headers['content-type'] ?? ''), body });
    const json = (status: number, value: unknown, type = 'application/json') => res.writeHead(status, { 'content-type': type }).end(JSON.stringify(value));
    if (req.url === `/api/customers/${CUSTOMER}/uploads`) {
      if (uploads === 'missing') return json(404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No route POST /api/customers/acme-genomics/uploads' }, 'application/problem+json');
      return json(201, {
        upload_id: 'up_0123456789abcdef',
        url: `${apiUrl}/storage/daylily-control`,
        fields: { key: `uploads/${CUSTOMER}/up_0123456789abcdef`, policy: 'eyJleHBpcmF0aW9uIjoi', 'x-amz-signature': 'abc123', 'Content-Type': 'text/tab-separated-values' },
        max_bytes: 64 * 1024 * 1024,
        expires_at: new Date(Date.now() + 900_000).toISOString(),
      });
    }
    if (req.url === '/storage/daylily-control') {
      if (storageStatus !== 204) {
        return res
          .writeHead(storageStatus, { 'content-type': 'application/xml' })
          .end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>');
      }
      return res.writeHead(204).end();
    }
    if (req.url === `/api/customers/${CUSTOMER}/worksets`) {
      const request = JSON.parse(body.toString()) as Record<string, unknown>;
      return json(201, { workset_id: 'run-1-00000000', workset_name: request.workset_name, state: 'ready', customer_id: CUSTOMER, sample_count: 0 });
    }
    json(404, { title: 'Not Found', status: 404 }, 'application/problem+json');
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  received = [];
  uploads = 'offered';
  storageStatus = 204;
});

async function sheetOf(bytes: number, name: string): Promise<{ path: string; text: string }> {
  const header = 'sample_id\tr1\tr2\n';
  const lines = [header];
  let size = header.length;
  for (let i = 1; size < bytes; i++) {
    const line = `S${i}\ts3://lab-data/runs/S${i}_R1.fastq.gz\ts3://lab-data/runs/S${i}_R2.fastq.gz\n`;
    lines.push(line);
    size += line.length;
  }
  const path = join(dataDir, name);
  const text = lines.join('');
  await writeFile(path, text);
  return { path, text };
}

async function submit(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['submit', '--pipeline', 'snv', '--genome', 'hg38', ...args], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { DAYLILY_API_URL: apiUrl, DAYLILY_TOKEN: 'a-token', DAYLILY_CUSTOMER: CUSTOMER },
  });
  return { code, stdout, stderr };
}

const registration = (): Record<string, unknown> => JSON.parse(received.find((r) => r.path.endsWith('/worksets'))!.body.toString()) as Record<string, unknown>;

/** The storage's form, parsed as a multipart/form-data reader (S3's) would. */
async function storageForm(): Promise<{ names: string[]; form: FormData }> {
  const post = received.find((r) => r.path === '/storage/daylily-control')!;
  expect(post.contentType).toMatch(/^multipart\/form-data; boundary=/);
  const form = await new Request('http://storage/', { method: 'POST', headers: { 'content-type': post.contentType }, body: post.body }).formData();
  return { names: [...form.keys()], form };
}

describe('daylily-workset submit: the sheet in the body or through an upload', () => {
  it('sends a small sheet as samples_tsv and asks for no upload', async () => {
    const { path, text } = await sheetOf(10_000, 'small.tsv');
    const run = await submit(['--sheet', path]);
    expect(run.code).toBe(EXIT.ok);
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/customers/${CUSTOMER}/worksets`]);
    expect(registration()).toMatchObject({ workset_name: 'small', samples_tsv: text });
    expect(registration()).not.toHaveProperty('samples_upload_id');
  });

  it(`stages a sheet over ${UPLOAD_THRESHOLD_BYTES} bytes: an upload, the form with the file last, then samples_upload_id`, async () => {
    const { path, text } = await sheetOf(UPLOAD_THRESHOLD_BYTES + 1, 'large.tsv');
    const run = await submit(['--sheet', path]);
    expect(run.code).toBe(EXIT.ok);
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/customers/${CUSTOMER}/uploads`, 'POST /storage/daylily-control', `POST /api/customers/${CUSTOMER}/worksets`]);
    expect(JSON.parse(received[0]!.body.toString())).toEqual({ size_bytes: Buffer.byteLength(text), content_type: 'text/tab-separated-values' });
    const { names, form } = await storageForm();
    expect(names).toEqual(['key', 'policy', 'x-amz-signature', 'Content-Type', 'file']);
    expect(form.get('key')).toBe(`uploads/${CUSTOMER}/up_0123456789abcdef`);
    expect(await (form.get('file') as File).text()).toBe(text);
    expect(registration()).toMatchObject({ samples_upload_id: 'up_0123456789abcdef' });
    expect(registration()).not.toHaveProperty('samples_tsv');
    expect(run.stderr).toContain('Uploaded as up_0123456789abcdef.');
  });

  it('stages a small sheet too with --upload, a CSV as text/csv', async () => {
    const path = join(dataDir, 'small.csv');
    await writeFile(path, 'sample_id,r1,r2\nA,s3://lab-data/a_R1.fq.gz,s3://lab-data/a_R2.fq.gz\n');
    const run = await submit(['--sheet', path, '--upload']);
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(received[0]!.body.toString())).toMatchObject({ content_type: 'text/csv' });
    expect(registration()).toMatchObject({ samples_upload_id: 'up_0123456789abcdef' });
  });

  it('a storage refusal is a refusal (1) naming its code, and nothing is registered', async () => {
    storageStatus = 403;
    const { path } = await sheetOf(100, 'expired.tsv');
    const run = await submit(['--sheet', path, '--upload']);
    expect(run.code).toBe(EXIT.refused);
    expect(run.stderr).toContain('AccessDenied: Invalid according to Policy: Policy expired.');
    expect(received.some((r) => r.path.endsWith('/worksets'))).toBe(false);
  });

  it('an API without uploads is a refusal (1) that says so', async () => {
    uploads = 'missing';
    const { path } = await sheetOf(100, 'no-uploads.tsv');
    const run = await submit(['--sheet', path, '--upload']);
    expect(run.code).toBe(EXIT.refused);
    expect(run.stderr).toContain('does this API offer uploads?');
  });
});
