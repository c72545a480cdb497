/** GET /api/customers/{customer_id}/worksets?limit=&next_token=&state= */
import { listCustomerWorksets } from '../lib/flows/customer-worksets.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { pathParameter } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';
import { CustomerId, ListWorksetsQuery } from '../lib/schemas/registration-requests.ts';
import { tableDeps } from '../lib/wiring/table.ts';

export const handler = httpHandler(async (event) => {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const query = parseOrThrow(ListWorksetsQuery, event.queryStringParameters ?? {}, 'query');
  return json(200, await listCustomerWorksets(tableDeps(), customerId, query));
});
