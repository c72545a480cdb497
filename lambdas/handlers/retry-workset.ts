/** POST /api/customers/{customer_id}/worksets/{workset_id}/retry — {reason?}: error, failed or canceled → ready, retry counters reset, sentinels cleared */
import { actorOf } from '../lib/domain/principal.ts';
import { retryWorkset } from '../lib/flows/lifecycle/cancel-retry.ts';
import { json } from '../lib/http/json-responses.ts';
import { CustomerActionContract } from '../lib/schemas/customer-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(CustomerActionContract, async ({ path, body, principal }) =>
  json(
    200,
    await retryWorkset(controlBucketDeps(), {
      customerId: path.customer_id,
      worksetId: path.workset_id,
      actor: actorOf(principal, `customer:${path.customer_id}`),
      ...(body.reason ? { reason: body.reason } : {}),
    }),
  ),
);
