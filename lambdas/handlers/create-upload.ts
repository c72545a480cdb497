/** POST /api/customers/{customer_id}/uploads — a presigned form to stage a sample sheet beyond the request limit. */
import { createSheetUpload } from '../lib/flows/sheet-uploads.ts';
import { json } from '../lib/http/json-responses.ts';
import { CreateUploadContract } from '../lib/schemas/upload-requests.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';
import { uploadDeps } from '../lib/wiring/upload-deps.ts';

export const handler = customerEntry(CreateUploadContract, async ({ path, body }) =>
  json(201, await createSheetUpload(uploadDeps(), { customerId: path.customer_id, request: body })),
);
