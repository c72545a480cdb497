/** DELETE /worksets/{workset_id}/lock?owner_id=…[&lease_epoch=…] — never changes the state */
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { releaseLease } from '../lib/flows/lifecycle/leases.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { optionalJsonBody, withLeaseQuery, worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { ReleaseLeaseRequest } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const worksetId = worksetIdParameter(event);
  const input = parseOrThrow(ReleaseLeaseRequest, withLeaseQuery(event, optionalJsonBody(event)), 'request');
  const answer = await releaseLease(controlBucketDeps(), {
    worksetId,
    owner: input.owner_id,
    ...(input.lease_epoch !== undefined ? { epoch: input.lease_epoch } : {}),
  });
  return json(200, { ...answer.workset, released: answer.released });
});
