/** POST /api/customers/{customer_id}/worksets/{workset_id}/cancel — {reason?}: ready, retrying or in_progress → canceled; a worker holding the lease sees it on its next heartbeat or write */
import { actorOf } from '../lib/domain/principal.ts';
import { cancelWorkset } from '../lib/flows/lifecycle/cancel-retry.ts';
import { json } from '../lib/http/json-responses.ts';
import { CustomerActionContract } from '../lib/schemas/customer-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(CustomerActionContract, async ({ path, body, principal }) =>
  json(
    200,
    await cancelWorkset(controlBucketDeps(), {
      customerId: path.customer_id,
      worksetId: path.workset_id,
      actor: actorOf(principal, `customer:${path.customer_id}`),
      ...(body.reason ? { reason: body.reason } : {}),
    }),
  ),
);
