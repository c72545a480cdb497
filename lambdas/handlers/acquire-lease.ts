/** POST /worksets/{workset_id}/lock — {owner_id, lease_seconds?} (owner_id also accepted in the query) */
import { acquireLease } from '../lib/flows/lifecycle/leases.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { AcquireLeaseContract } from '../lib/schemas/worker-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';

export const handler = httpEntry(AcquireLeaseContract, async ({ path, body }) => {
  const { workset, granted } = await acquireLease(controlBucketDeps(), {
    worksetId: path.workset_id,
    owner: body.owner_id,
    ...(body.lease_seconds ? { leaseSeconds: body.lease_seconds } : {}),
  });
  return json(200, { ...workset, granted });
});
