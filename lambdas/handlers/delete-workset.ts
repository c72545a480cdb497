/**
 * POST /api/customers/{customer_id}/worksets/{workset_id}/delete — {hard_delete?, reason?}.
 * Soft by default (state `deleted`); hard removes the workset's own control files, then its record.
 * Refused while in_progress.
 */
import { deleteWorkset } from '../lib/flows/lifecycle/delete-workset.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { customerActionInput } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { DeleteRequest } from '../lib/schemas/lifecycle-requests.ts';

export const handler = httpHandler(async (event) => {
  const { body, ...command } = customerActionInput(event, DeleteRequest);
  return json(200, await deleteWorkset(controlBucketDeps(), { ...command, hardDelete: body.hard_delete }));
});
