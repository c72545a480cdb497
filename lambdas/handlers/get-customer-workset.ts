/** GET /api/customers/{customer_id}/worksets/{workset_id} */
import { getCustomerWorkset } from '../lib/flows/customer-worksets.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { pathParameter } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';
import { CustomerId } from '../lib/schemas/registration-requests.ts';
import { tableDeps } from '../lib/wiring/table.ts';

export const handler = httpHandler(async (event) => {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const worksetId = worksetIdParameter(event);
  return json(200, await getCustomerWorkset(tableDeps(), customerId, worksetId));
});
