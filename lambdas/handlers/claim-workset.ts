/** POST /worksets/claim — {owner_id, lease_seconds?}: leases and returns the next workset; 204 when none */
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { claimNext } from '../lib/flows/lifecycle/queue.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { optionalJsonBody, withLeaseQuery } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { ClaimRequest } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const input = parseOrThrow(ClaimRequest, withLeaseQuery(event, optionalJsonBody(event)), 'request');
  const claimed = await claimNext(controlBucketDeps(), { owner: input.owner_id, ...(input.lease_seconds ? { leaseSeconds: input.lease_seconds } : {}) });
  return claimed ? json(200, claimed) : { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
