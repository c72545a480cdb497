/** POST /api/customers/{customer_id}/worksets/{workset_id}/archive — {reason?}: a finished workset → archived; its control folder moves to the archive prefix */
import { actorOf } from '../lib/domain/principal.ts';
import { archiveWorkset } from '../lib/flows/lifecycle/archive-restore.ts';
import { json } from '../lib/http/json-responses.ts';
import { CustomerActionContract } from '../lib/schemas/customer-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(CustomerActionContract, async ({ path, body, principal }) =>
  json(
    200,
    await archiveWorkset(controlBucketDeps(), {
      customerId: path.customer_id,
      worksetId: path.workset_id,
      actor: actorOf(principal, `customer:${path.customer_id}`),
      ...(body.reason ? { reason: body.reason } : {}),
    }),
  ),
);
