/** POST /worksets/claim — {owner_id, lease_seconds?}: leases and returns the next workset; 204 when none */
import { claimNext } from '../lib/flows/lifecycle/queue.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json, noContent } from '../lib/http/json-responses.ts';
import { ClaimWorksetContract } from '../lib/schemas/worker-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';

export const handler = httpEntry(ClaimWorksetContract, async ({ body }) => {
  const claimed = await claimNext(controlBucketDeps(), { owner: body.owner_id, ...(body.lease_seconds ? { leaseSeconds: body.lease_seconds } : {}) });
  return claimed ? json(200, claimed) : noContent();
});
