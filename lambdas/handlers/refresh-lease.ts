/** POST /worksets/{workset_id}/lock/refresh — the owner's heartbeat: {owner_id, lease_epoch, lease_seconds?} */
import { tableDeps } from '../lib/wiring/table.ts';
import { refreshLease } from '../lib/flows/lifecycle/leases.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { optionalJsonBody, withLeaseQuery, worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { RefreshLeaseRequest } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const worksetId = worksetIdParameter(event);
  const input = parseOrThrow(RefreshLeaseRequest, withLeaseQuery(event, optionalJsonBody(event)), 'request');
  return json(
    200,
    await refreshLease(tableDeps(), {
      worksetId,
      owner: input.owner_id,
      epoch: input.lease_epoch,
      ...(input.lease_seconds ? { leaseSeconds: input.lease_seconds } : {}),
    }),
  );
});
