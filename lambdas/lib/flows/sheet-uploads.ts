/**
 * The upload route's flow: a presigned form for one sheet, under a key the server chooses
 * (domain/sheet-upload.ts). Nothing is written here; the client POSTs the sheet to S3 itself,
 * then names the upload id in a registration or preview.
 */
import { stagedSheetKey, type SheetUpload } from '../domain/sheet-upload.ts';
import { timestamp } from '../domain/workset.ts';
import { NotConfiguredError, UnprocessableInputError } from '../errors.ts';
import type { CreateUploadRequest } from '../schemas/upload-requests.ts';
import type { UploadDeps } from './deps.ts';

export interface CreateUploadCommand {
  readonly customerId: string;
  readonly request: CreateUploadRequest;
}

export async function createSheetUpload(deps: UploadDeps, command: CreateUploadCommand): Promise<SheetUpload> {
  if (!deps.uploads.ok) throw new NotConfiguredError(deps.uploads.problem);
  const { bucket, prefix, maxBytes, expiresSeconds } = deps.uploads;
  const size = command.request.size_bytes;
  if (size !== undefined && size > maxBytes) {
    throw new UnprocessableInputError(`size_bytes exceeds the ${maxBytes} bytes an upload may hold.`, [{ field: 'size_bytes', message: `must be at most ${maxBytes}` }]);
  }
  const uploadId = deps.uploadId();
  const expiresAt = new Date(deps.now().getTime() + expiresSeconds * 1000);
  const form = await deps.forms.presign({
    bucket,
    key: stagedSheetKey(prefix, command.customerId, uploadId),
    maxBytes,
    contentType: command.request.content_type,
    expiresSeconds,
  });
  return { upload_id: uploadId, url: form.url, fields: form.fields, max_bytes: maxBytes, expires_at: timestamp(expiresAt) };
}
