/** POST /api/customers/{customer_id}/worksets/{workset_id}/restore — {reason?}: archived → the state it was archived from (error/failed → ready); the folder moves back */
import { actorOf } from '../lib/domain/principal.ts';
import { restoreWorkset } from '../lib/flows/lifecycle/archive-restore.ts';
import { json } from '../lib/http/json-responses.ts';
import { CustomerActionContract } from '../lib/schemas/customer-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(CustomerActionContract, async ({ path, body, principal }) =>
  json(
    200,
    await restoreWorkset(controlBucketDeps(), {
      customerId: path.customer_id,
      worksetId: path.workset_id,
      actor: actorOf(principal, `customer:${path.customer_id}`),
      ...(body.reason ? { reason: body.reason } : {}),
    }),
  ),
);
