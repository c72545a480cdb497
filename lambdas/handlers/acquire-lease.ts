/** POST /worksets/{workset_id}/lock — body {owner_id, lease_seconds?} (owner_id also accepted in the query) */
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { acquireLease } from '../lib/flows/lifecycle/leases.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { optionalJsonBody, withLeaseQuery, worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { AcquireLeaseRequest } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const worksetId = worksetIdParameter(event);
  const input = parseOrThrow(AcquireLeaseRequest, withLeaseQuery(event, optionalJsonBody(event)), 'request');
  const answer = await acquireLease(controlBucketDeps(), { worksetId, owner: input.owner_id, ...(input.lease_seconds ? { leaseSeconds: input.lease_seconds } : {}) });
  return json(200, { ...answer.workset, granted: answer.granted });
});
