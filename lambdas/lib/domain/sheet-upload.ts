/**
 * Sample sheets beyond the request limit: API Gateway and Lambda refuse a request over 6 MB, so a
 * lab stages a large sheet in the control bucket first (a presigned POST) and registers it by the
 * upload id it was given. The key is the server's: the staging prefix, the customer's id and a
 * random upload id, so an id names an object of one customer only and no customer chooses a key.
 */

/** Where staged sheets live in the control bucket: outside the control and archive prefixes (the monitor never lists it). */
export const UPLOAD_PREFIX = 'daylily_uploads/';
/** Staged sheets the lifecycle rule expires (registration removes the ones it reads). */
export const UPLOAD_RETENTION_DAYS = 1;
/** How long a presigned POST may be used. */
export const UPLOAD_EXPIRY_SECONDS = 15 * 60;
/**
 * The default cap of a staged sheet. A sheet is read whole into the registering function's
 * memory; 64 MiB holds 100,000 samples of a full 20-column template with long paths.
 */
export const DEFAULT_UPLOAD_MAX_BYTES = 64 * 1024 * 1024;
/**
 * The largest cap an operator may configure. A registering function (512 MB) holds the sheet's
 * text, its rows and the rendered stage_samples.tsv at once: about three times the sheet.
 */
export const MAX_UPLOAD_MAX_BYTES = 128 * 1024 * 1024;
/** Samples a staged sheet may hold (an inline request holds at most MAX_SAMPLES). */
export const MAX_UPLOADED_SAMPLES = 100_000;

/** The media types a staged sheet may be sent as. */
export const SHEET_CONTENT_TYPES = ['text/tab-separated-values', 'text/csv'] as const;
export type SheetContentType = (typeof SHEET_CONTENT_TYPES)[number];

/** What an upload id looks like (the contract's `^[A-Za-z0-9_-]{1,64}$`); 16 random bytes, base64url. */
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function newUploadId(randomBytes: Uint8Array): string {
  return Buffer.from(randomBytes).toString('base64url');
}

/** The key a customer's upload is staged under. */
export function stagedSheetKey(prefix: string, customerId: string, uploadId: string): string {
  return `${prefix}${customerId}/${uploadId}`;
}

/** What a client needs to stage a sheet (the upload contract). */
export interface SheetUpload {
  readonly upload_id: string;
  readonly url: string;
  /** The form fields to send before the file, as given. */
  readonly fields: Readonly<Record<string, string>>;
  readonly max_bytes: number;
  readonly expires_at: string;
}
