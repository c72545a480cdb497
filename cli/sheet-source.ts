/**
 * Where a workset's samples come from in a request: a small sheet travels in the body as
 * `samples_tsv`; a large one (or any, with `--upload`) is staged first through the upload
 * contract (`POST …/uploads`, then a multipart POST of the file to the answer's URL) and named
 * by `samples_upload_id`. API Gateway and Lambda cap a request at 6 MB, and `samples_tsv` at
 * 5 MiB of text; a sheet's tabs and newlines grow in JSON, so the switch is well below both.
 */
import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { ApiClient } from './api-client.ts';
import { ROUTES } from './api-routes.ts';
import { ApiProblem, Unreachable, UsageError } from './exit-codes.ts';

/** Sheets larger than this go through an upload. */
export const UPLOAD_THRESHOLD_BYTES = 4 * 1024 * 1024;

/** What the CLI will read of a sheet at all (the upload's own `max_bytes` is checked too). */
export const MAX_SHEET_BYTES = 1024 * 1024 * 1024;

export type SamplesSource = { readonly samples_tsv: string } | { readonly samples_upload_id: string };

export interface SheetFile {
  readonly path: string;
  readonly bytes: number;
  readonly contentType: 'text/tab-separated-values' | 'text/csv';
}

/** The answer of `POST …/uploads` (the upload contract). */
export interface UploadTicket {
  readonly upload_id: string;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly max_bytes: number;
  readonly expires_at: string;
}

export async function sheetFile(path: string): Promise<SheetFile> {
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
  return { path, bytes, contentType: extname(path).toLowerCase() === '.csv' ? 'text/csv' : 'text/tab-separated-values' };
}

/** Whether the sheet goes through an upload: asked for, or too large for the request body. */
export const needsUpload = (sheet: SheetFile, forced: boolean): boolean => forced || sheet.bytes > UPLOAD_THRESHOLD_BYTES;

/** The S3-style error of a refused form POST (`<Code>…</Code><Message>…</Message>`), or the start of the text. */
function storageDetail(text: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  if (code || message) return [code, message].filter(Boolean).join(': ');
  return text.trim().slice(0, 300) || 'no detail';
}

/** Stages the sheet under a fresh upload; answers its id. */
export async function uploadSheet(client: ApiClient, customerId: string, sheet: SheetFile, send: typeof fetch = fetch): Promise<UploadTicket> {
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
    throw new UsageError(`--sheet ${sheet.path} is ${sheet.bytes} bytes; an upload takes at most ${ticket.max_bytes}.`);
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
  form.append('file', await openAsBlob(sheet.path, { type: sheet.contentType }), basename(sheet.path));

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
  sheet: SheetFile,
  options: { readonly forceUpload: boolean; readonly note: (text: string) => void; readonly fetch?: typeof fetch },
): Promise<SamplesSource> {
  if (!needsUpload(sheet, options.forceUpload)) {
    return { samples_tsv: await readFile(sheet.path, 'utf8') };
  }
  options.note(`Uploading ${sheet.path} (${sheet.bytes} bytes)…`);
  const ticket = await uploadSheet(client, customerId, sheet, options.fetch);
  options.note(`Uploaded as ${ticket.upload_id}.`);
  return { samples_upload_id: ticket.upload_id };
}
