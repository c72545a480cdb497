/** GET /worksets?state=&priority=&customer_id=&limit=&next_token= (operator listing) */
import { tableDeps } from '../lib/wiring/table.ts';
import { listWorksets } from '../lib/flows/lifecycle/operator.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { json } from '../lib/http/responses.ts';
import { AdminListQuery } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const query = parseOrThrow(AdminListQuery, event.queryStringParameters ?? {}, 'query');
  return json(200, await listWorksets(tableDeps(), query));
});
