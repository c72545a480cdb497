/**
 * Where a workset's samples come from in a request: a small sheet travels in the body as
 * `samples_tsv`; a large one (or any, with `--upload`) is staged first through the upload
 * contract (`POST …/uploads`, then a multipart POST of the file to the answer's URL) and named
 * by `samples_upload_id`. API Gateway and Lambda cap a request at 6 MB, and `samples_tsv` at
 * 5 MiB of text; a sheet's tabs and newlines grow in JSON, so the switch is well below both.
 * A sheet is a file, or (`--sheet -`) standard input read whole, so that a LIMS export pipes in.
 */
import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ApiClient } from './api-client.ts';
import { ROUTES } from './api-routes.ts';
import { MAX_UPLOAD_MAX_BYTES } from '../lambdas/lib/domain/sheet-upload.ts';
import { ApiProblem, Unreachable, UsageError } from './exit-codes.ts';
import type { CliIo } from './output.ts';

/** Sheets larger than this go through an upload. */
export const UPLOAD_THRESHOLD_BYTES = 4 * 1024 * 1024;

/** What the CLI will read of a sheet at all (the upload's own `max_bytes` is checked too). */
export const MAX_SHEET_BYTES = 1024 * 1024 * 1024;

export type SamplesSource = { readonly samples_tsv: string } | { readonly samples_upload_id: string };

/** `--sheet -`: the sheet comes on standard input. */
export const STDIN_SHEET = '-';

/**
 * What the CLI reads of stdin: a sheet there is held in memory (a file is streamed), and no
 * deployment takes an upload larger than this (DAYLILY_UPLOAD_MAX_BYTES is at most 128 MiB).
 */
export const MAX_STDIN_SHEET_BYTES = MAX_UPLOAD_MAX_BYTES;

export interface Sheet {
  /** How messages name it: its path, or `stdin`. */
  readonly name: string;
  readonly bytes: number;
  /** By the file's extension; stdin has none, so TSV (registration tells CSV by its header either way). */
  readonly contentType: 'text/tab-separated-values' | 'text/csv';
  /** A file is read when it is sent; stdin can be read once only, so its bytes are held. */
  readonly content: { readonly path: string } | { readonly data: Buffer };
}

/** The answer of `POST …/uploads` (the upload contract). */
export interface UploadTicket {
  readonly upload_id: string;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly max_bytes: number;
  readonly expires_at: string;
}

/** The sheet `--sheet` names: a file, or standard input for `-`. */
export function openSheet(option: string, io: Pick<CliIo, 'stdin' | 'stdinIsTTY'>): Promise<Sheet> {
  return option === STDIN_SHEET ? stdinSheet(io) : sheetFile(option);
}

export async function sheetFile(path: string): Promise<Sheet> {
  let bytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`--sheet ${path} is not a file.`);
    bytes = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--sheet ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  if (bytes === 0) throw new UsageError(`--sheet ${path} is empty.`);
  if (bytes > MAX_SHEET_BYTES) throw new UsageError(`--sheet ${path} is ${bytes} bytes; the CLI reads sheets up to ${MAX_SHEET_BYTES} bytes.`);
  return { name: path, bytes, contentType: extname(path).toLowerCase() === '.csv' ? 'text/csv' : 'text/tab-separated-values', content: { path } };
}

/** Standard input, read whole: up to MAX_STDIN_SHEET_BYTES, and not a byte further (`yes | …` must end). */
export async function stdinSheet(io: Pick<CliIo, 'stdin' | 'stdinIsTTY'>): Promise<Sheet> {
  // A terminal would wait for typing, which nobody means: a sheet is piped in or named.
  if (io.stdinIsTTY) throw new UsageError('--sheet - reads the sheet from stdin, which is a terminal: pipe a sheet in (lims-export | daylily-workset submit --sheet - …) or give its file.');
  if (!io.stdin) throw new UsageError('--sheet - reads the sheet from stdin, and this run has none.');
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    // Leaving the loop early returns the iterator: process.stdin is then destroyed, not drained.
    for await (const chunk of io.stdin()) {
      bytes += chunk.byteLength;
      if (bytes > MAX_STDIN_SHEET_BYTES) throw new UsageError(`--sheet - (stdin) is over ${MAX_STDIN_SHEET_BYTES} bytes; the CLI reads up to ${MAX_STDIN_SHEET_BYTES} bytes of a sheet on stdin (no upload is larger).`);
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--sheet - (stdin) cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  if (bytes === 0) throw new UsageError('--sheet - (stdin) is empty.');
  return { name: 'stdin', bytes, contentType: 'text/tab-separated-values', content: { data: Buffer.concat(chunks, bytes) } };
}

const sheetText = (sheet: Sheet): Promise<string> => ('path' in sheet.content ? readFile(sheet.content.path, 'utf8') : Promise.resolve(sheet.content.data.toString('utf8')));

/** Whether the sheet goes through an upload: asked for, or too large for the request body. */
export const needsUpload = (sheet: Sheet, forced: boolean): boolean => forced || sheet.bytes > UPLOAD_THRESHOLD_BYTES;

/** The S3-style error of a refused form POST (`<Code>…</Code><Message>…</Message>`), or the start of the text. */
function storageDetail(text: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  if (code || message) return [code, message].filter(Boolean).join(': ');
  return text.trim().slice(0, 300) || 'no detail';
}

/** Stages the sheet under a fresh upload; answers its id. */
export async function uploadSheet(client: ApiClient, customerId: string, sheet: Sheet, send: typeof fetch = fetch): Promise<UploadTicket> {
  let ticket: UploadTicket;
  try {
    ({ body: ticket } = await client.call<UploadTicket>(ROUTES.upload, { parameters: { customer_id: customerId }, body: { size_bytes: sheet.bytes, content_type: sheet.contentType } }));
  } catch (error) {
    if (error instanceof ApiProblem && (error.problem.status === 404 || error.problem.status === 405) && !error.problem.errors?.length) {
      throw new ApiProblem({ ...error.problem, detail: `${error.problem.detail ?? 'not found'} (does this API offer uploads? POST ${ROUTES.upload.path}; a sheet up to ${UPLOAD_THRESHOLD_BYTES} bytes goes without one)` });
    }
    throw error;
  }
  if (typeof ticket?.upload_id !== 'string' || typeof ticket.url !== 'string' || ticket.fields === null || typeof ticket.fields !== 'object') {
    throw new Unreachable(`POST ${ROUTES.upload.path} answered without upload_id, url and fields: is this the workset API?`);
  }
  if (typeof ticket.max_bytes === 'number' && sheet.bytes > ticket.max_bytes) {
    throw new UsageError(`--sheet ${sheet.name} is ${sheet.bytes} bytes; an upload takes at most ${ticket.max_bytes}.`);
  }
  let url: URL;
  try {
    url = new URL(ticket.url);
  } catch {
    throw new Unreachable(`The upload's url ${JSON.stringify(ticket.url)} is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Unreachable(`The upload's url must be http(s), not ${url.protocol}`);

  // The policy's fields first, the file last: S3 ignores form fields after `file`.
  const form = new FormData();
  for (const [name, value] of Object.entries(ticket.fields)) form.append(name, String(value));
  const file =
    'path' in sheet.content
      ? { blob: await openAsBlob(sheet.content.path, { type: sheet.contentType }), name: basename(sheet.content.path) }
      : { blob: new Blob([sheet.content.data], { type: sheet.contentType }), name: 'stdin' };
  form.append('file', file.blob, file.name);

  let response: Response;
  try {
    response = await send(url, { method: 'POST', body: form, signal: AbortSignal.timeout(15 * 60_000) });
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new Unreachable(`The upload to ${url.origin} failed (${cause}).`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ApiProblem({ status: response.status, title: 'Upload refused', detail: `the storage answered ${response.status} to the sheet's upload: ${storageDetail(text)}` });
  }
  return ticket;
}

/** The request's samples: the sheet's text, or (large or `--upload`) an upload's id. */
export async function samplesSource(
  client: ApiClient,
  customerId: string,
  sheet: Sheet,
  options: { readonly forceUpload: boolean; readonly note: (text: string) => void; readonly fetch?: typeof fetch },
): Promise<SamplesSource> {
  if (!needsUpload(sheet, options.forceUpload)) {
    return { samples_tsv: await sheetText(sheet) };
  }
  options.note(`Uploading ${sheet.name} (${sheet.bytes} bytes)…`);
  const ticket = await uploadSheet(client, customerId, sheet, options.fetch);
  options.note(`Uploaded as ${ticket.upload_id}.`);
  return { samples_upload_id: ticket.upload_id };
}
