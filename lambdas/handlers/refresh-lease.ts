/** POST /worksets/{workset_id}/lock/refresh — the owner's heartbeat: {owner_id, lease_epoch, lease_seconds?} */
import { refreshLease } from '../lib/flows/lifecycle/leases.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { RefreshLeaseContract } from '../lib/schemas/worker-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';

export const handler = httpEntry(RefreshLeaseContract, async ({ path, body }) =>
  json(
    200,
    await refreshLease(tableDeps(), {
      worksetId: path.workset_id,
      owner: body.owner_id,
      epoch: body.lease_epoch,
      ...(body.lease_seconds ? { leaseSeconds: body.lease_seconds } : {}),
    }),
  ),
);
