/** POST /worksets/{workset_id}/failure — {owner_id, lease_epoch, error_details, error_category, failed_step?} → retrying or failed */
import { recordFailure } from '../lib/flows/lifecycle/worker.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { RecordFailureContract } from '../lib/schemas/worker-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';

export const handler = httpEntry(RecordFailureContract, async ({ path, body }) => {
  const { owner_id, lease_epoch, ...failure } = body;
  const { workset, retry_scheduled } = await recordFailure(controlBucketDeps(), {
    worksetId: path.workset_id,
    lease: { owner: owner_id, epoch: lease_epoch },
    actor: owner_id,
    ...failure,
  });
  return json(200, { ...workset, retry_scheduled });
});
