/** POST /api/customers/{customer_id}/worksets/{workset_id}/restore — {reason?}: archived → the state it was archived from (error/failed → ready); the folder moves back */
import { restoreWorkset } from '../lib/flows/lifecycle/archive-restore.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { customerActionInput } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';
import { CustomerActionRequest } from '../lib/schemas/lifecycle-requests.ts';

export const handler = httpHandler(async (event) => {
  const { body: _body, ...command } = customerActionInput(event, CustomerActionRequest);
  return json(200, await restoreWorkset(controlBucketDeps(), command));
});
