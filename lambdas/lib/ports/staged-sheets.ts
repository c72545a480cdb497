/**
 * Staged sample sheets (domain/sheet-upload.ts): the form a client uploads one with, and reading
 * one back. Removal goes through ControlObjectWrites.delete (the registering function has it).
 * Adapters translate their SDK's failures into StorageUnavailableError (errors.ts).
 */

/** A staged sheet as read: its text, or why there is none to use. */
export type StagedSheet =
  | { readonly kind: 'sheet'; readonly text: string; readonly bytes: number }
  /** No object under the key: never uploaded, expired, removed, or another customer's id. */
  | { readonly kind: 'missing' }
  /** Larger than the cap (the form refuses that on S3; an emulator may not). */
  | { readonly kind: 'too-large'; readonly bytes: number }
  /** Not UTF-8 text. */
  | { readonly kind: 'not-text' };

export interface StagedSheetReads {
  /** Reads the object under `key` as UTF-8, streaming, giving up past `maxBytes`. */
  read(bucket: string, key: string, maxBytes: number): Promise<StagedSheet>;
}

export interface UploadFormRequest {
  readonly bucket: string;
  readonly key: string;
  readonly maxBytes: number;
  readonly contentType: string;
  readonly expiresSeconds: number;
}

/** A browser-form POST: where to send it, and the fields to send before the file. */
export interface UploadForm {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface UploadForms {
  /** A signed form that stores exactly `key`, at most `maxBytes`, as `contentType`, until it expires. */
  presign(request: UploadFormRequest): Promise<UploadForm>;
}
