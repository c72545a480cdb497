/** POST /worksets/{workset_id}/failure — {owner_id, lease_epoch, error_details, error_category, failed_step?} → retrying or failed */
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { recordFailure } from '../lib/flows/lifecycle/worker.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { withLeaseQuery, worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { jsonObjectBody } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { FailureRequest } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const worksetId = worksetIdParameter(event);
  const { owner_id, lease_epoch, ...failure } = parseOrThrow(FailureRequest, withLeaseQuery(event, jsonObjectBody(event)), 'request body');
  const { workset, retry_scheduled } = await recordFailure(controlBucketDeps(), { worksetId, lease: { owner: owner_id, epoch: lease_epoch }, actor: owner_id, ...failure });
  return json(200, { ...workset, retry_scheduled });
});
