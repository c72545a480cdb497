/**
 * POST /api/customers/{customer_id}/worksets/{workset_id}/delete — {hard_delete?, reason?}.
 * Soft by default (state `deleted`); hard removes the workset's own control files, then its record.
 * Refused while in_progress.
 */
import { deleteWorkset } from '../lib/flows/lifecycle/customer-actions.ts';
import { defaultLifecycleDeps } from '../lib/flows/lifecycle/default-deps.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { customerActionInput } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { DeleteRequest } from '../lib/schemas/lifecycle.ts';

export const handler = httpHandler(async (event) => {
  const { body, ...command } = customerActionInput(event, DeleteRequest);
  return json(200, await deleteWorkset(defaultLifecycleDeps(), { ...command, hardDelete: body.hard_delete }));
});
