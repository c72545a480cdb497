/** GET /api/customers/{customer_id}/worksets/{workset_id}/logs?limit=&next_token= — the full audit history, oldest first */
import { worksetHistory } from '../lib/flows/lifecycle/workset-history.ts';
import { tableDeps } from '../lib/wiring/table.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { pathParameter } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { LogsQuery } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';
import { CustomerId } from '../lib/schemas/registration-requests.ts';

export const handler = httpHandler(async (event) => {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const worksetId = worksetIdParameter(event);
  const query = parseOrThrow(LogsQuery, event.queryStringParameters ?? {}, 'query');
  return json(
    200,
    await worksetHistory(tableDeps(), { customerId, worksetId, limit: query.limit, ...(query.next_token ? { nextToken: query.next_token } : {}) }),
  );
});
