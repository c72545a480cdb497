/** POST /api/customers/{customer_id}/worksets/{workset_id}/retry — {reason?}: error, failed or canceled → ready, retry counters reset, sentinels cleared */
import { retryWorkset } from '../lib/flows/lifecycle/cancel-retry.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { customerActionInput } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { CustomerActionRequest } from '../lib/schemas/lifecycle-requests.ts';

export const handler = httpHandler(async (event) => {
  const { body: _body, ...command } = customerActionInput(event, CustomerActionRequest);
  return json(200, await retryWorkset(controlBucketDeps(), command));
});
