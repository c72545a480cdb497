/**
 * The customer actions on one workset (archive, restore, cancel, retry, delete): a customer route
 * whose body names at most a reason, run by a lifecycle flow with the control-bucket wiring, and
 * answered 200 with what the flow returns. One place, so the five handlers differ only in their flow.
 *
 *   export const handler = customerActionEntry(cancelWorkset);
 */
import { actorOf, type Principal } from '../domain/principal.ts';
import type { ControlBucketDeps } from '../flows/deps.ts';
import type { CustomerCommand } from '../flows/lifecycle/cancel-retry.ts';
import { json } from '../http/json-responses.ts';
import { CustomerActionContract } from '../schemas/customer-requests.ts';
import { controlBucketDeps } from './control-bucket-deps.ts';
import { customerEntry } from './customer-entry.ts';

type ActionFlow = (deps: ControlBucketDeps, command: CustomerCommand) => Promise<unknown>;

/** Who acts on which workset of which customer, and why: what every customer action's flow takes. */
export function customerCommand(
  path: { readonly customer_id: string; readonly workset_id: string },
  body: { readonly reason?: string | null | undefined },
  principal: Principal,
): CustomerCommand {
  return {
    customerId: path.customer_id,
    worksetId: path.workset_id,
    actor: actorOf(principal, `customer:${path.customer_id}`),
    ...(body.reason ? { reason: body.reason } : {}),
  };
}

export function customerActionEntry(flow: ActionFlow) {
  return customerEntry(CustomerActionContract, async ({ path, body, principal }) =>
    json(200, await flow(controlBucketDeps(), customerCommand(path, body, principal))),
  );
}
