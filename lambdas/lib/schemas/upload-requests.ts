/** What the upload route reads: the size and type of the sheet a client is about to stage. */
import * as v from 'valibot';
import { MAX_UPLOAD_MAX_BYTES, SHEET_CONTENT_TYPES } from '../domain/sheet-upload.ts';
import type { RequestContract } from './contract.ts';
import { customerIdParameter } from './path-parameters.ts';

export const CreateUploadRequest = v.strictObject({
  /** Checked against the configured cap up front; the form's own cap is that cap. */
  size_bytes: v.optional(v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(MAX_UPLOAD_MAX_BYTES, `must be at most ${MAX_UPLOAD_MAX_BYTES}`))),
  content_type: v.optional(v.picklist(SHEET_CONTENT_TYPES, `must be one of ${SHEET_CONTENT_TYPES.join(', ')}`), 'text/tab-separated-values'),
});
export type CreateUploadRequest = v.InferOutput<typeof CreateUploadRequest>;

/** POST /api/customers/{customer_id}/uploads (the body is optional: every field has a default). */
export const CreateUploadContract = {
  path: { customer_id: customerIdParameter },
  body: { schema: CreateUploadRequest, required: false },
} satisfies RequestContract;
