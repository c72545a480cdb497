/**
 * POST /api/customers/{customer_id}/worksets/{workset_id}/delete — {hard_delete?, reason?}.
 * Soft by default (state `deleted`); hard removes the workset's own control files, then its record.
 * Refused while in_progress.
 */
import { deleteWorkset } from '../lib/flows/lifecycle/deletion.ts';
import { json } from '../lib/http/json-responses.ts';
import { DeleteWorksetContract } from '../lib/schemas/customer-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';
import { customerCommand } from '../lib/wiring/customer-action-entry.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(DeleteWorksetContract, async ({ path, body, principal }) =>
  json(200, await deleteWorkset(controlBucketDeps(), { ...customerCommand(path, body, principal), hardDelete: body.hard_delete })),
);
