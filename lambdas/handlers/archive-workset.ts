/** POST /api/customers/{customer_id}/worksets/{workset_id}/archive — {reason?}: a finished workset → archived; its control folder moves to the archive prefix */
import { archiveWorkset } from '../lib/flows/lifecycle/archive-restore.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { customerActionInput } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { CustomerActionRequest } from '../lib/schemas/lifecycle-requests.ts';

export const handler = httpHandler(async (event) => {
  const { body: _body, ...command } = customerActionInput(event, CustomerActionRequest);
  return json(200, await archiveWorkset(controlBucketDeps(), command));
});
