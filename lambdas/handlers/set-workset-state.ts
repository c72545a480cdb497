/** PUT /worksets/{workset_id}/state — a worker's transition under its lease: {state, reason, owner_id, lease_epoch, error_details?, cluster_name?, metrics?} */
import { setState } from '../lib/flows/lifecycle/worker.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { SetWorksetStateContract } from '../lib/schemas/worker-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';

export const handler = httpEntry(SetWorksetStateContract, async ({ path, body }) => {
  const { owner_id, lease_epoch, state, reason, ...report } = body;
  return json(200, await setState(controlBucketDeps(), { worksetId: path.workset_id, state, reason, ...report, actor: owner_id, lease: { owner: owner_id, epoch: lease_epoch } }));
});
