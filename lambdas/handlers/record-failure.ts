/** POST /worksets/{workset_id}/failure — {owner_id, lease_epoch, error_details, error_category, failed_step?} → retrying or failed */
import { defaultLifecycleDeps } from '../lib/flows/lifecycle/default-deps.ts';
import { recordFailure } from '../lib/flows/lifecycle/worker.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { withLeaseQuery, worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { jsonObjectBody } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { FailureRequest } from '../lib/schemas/lifecycle.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const worksetId = worksetIdParameter(event);
  const { owner_id, lease_epoch, ...failure } = parseOrThrow(FailureRequest, withLeaseQuery(event, jsonObjectBody(event)), 'request body');
  return json(200, await recordFailure(defaultLifecycleDeps(), { worksetId, lease: { owner: owner_id, epoch: lease_epoch }, actor: owner_id, ...failure }));
});
