/** POST /api/customers/{customer_id}/worksets/{workset_id}/cancel — {reason?}: ready, retrying or in_progress → canceled; a worker holding the lease sees it on its next heartbeat or write */
import { cancelWorkset } from '../lib/flows/lifecycle/customer-actions.ts';
import { defaultLifecycleDeps } from '../lib/flows/lifecycle/default-deps.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { customerActionInput } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { CustomerActionRequest } from '../lib/schemas/lifecycle.ts';

export const handler = httpHandler(async (event) => {
  const { body: _body, ...command } = customerActionInput(event, CustomerActionRequest);
  return json(200, await cancelWorkset(defaultLifecycleDeps(), command));
});
