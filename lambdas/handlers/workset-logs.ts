/** GET /api/customers/{customer_id}/worksets/{workset_id}/logs?limit=&next_token= — the full audit history, oldest first */
import { worksetLogs } from '../lib/flows/lifecycle/customer-actions.ts';
import { defaultLifecycleReadDeps } from '../lib/flows/lifecycle/default-read-deps.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { pathParameter } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { LogsQuery } from '../lib/schemas/lifecycle.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';
import { CustomerId } from '../lib/schemas/workset.ts';

export const handler = httpHandler(async (event) => {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const worksetId = worksetIdParameter(event);
  const query = parseOrThrow(LogsQuery, event.queryStringParameters ?? {}, 'query');
  return json(
    200,
    await worksetLogs(defaultLifecycleReadDeps(), { customerId, worksetId, limit: query.limit, ...(query.next_token ? { nextToken: query.next_token } : {}) }),
  );
});
