/** DELETE /worksets/{workset_id}/lock?owner_id=…[&lease_epoch=…] — never changes the state */
import { releaseLease } from '../lib/flows/lifecycle/leases.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { ReleaseLeaseContract } from '../lib/schemas/worker-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';

export const handler = httpEntry(ReleaseLeaseContract, async ({ path, body }) => {
  const { workset, released } = await releaseLease(controlBucketDeps(), {
    worksetId: path.workset_id,
    owner: body.owner_id,
    ...(body.lease_epoch !== undefined ? { epoch: body.lease_epoch } : {}),
  });
  return json(200, { ...workset, released });
});
