/** PUT /worksets/{workset_id}/state — {state, reason, owner_id?, lease_epoch?, error_details?, cluster_name?, metrics?} */
import { callerOf } from '../lib/http/caller.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { setState } from '../lib/flows/lifecycle/worker.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { withLeaseQuery, worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { jsonObjectBody } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { SetStateRequest } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const worksetId = worksetIdParameter(event);
  const input = parseOrThrow(SetStateRequest, withLeaseQuery(event, jsonObjectBody(event)), 'request body');
  const { owner_id, lease_epoch, state, reason, ...report } = input;
  return json(
    200,
    await setState(controlBucketDeps(), {
      worksetId,
      state,
      reason,
      ...report,
      actor: owner_id ?? callerOf(event, 'operator'),
      ...(owner_id !== undefined && lease_epoch !== undefined ? { lease: { owner: owner_id, epoch: lease_epoch } } : {}),
    }),
  );
});
