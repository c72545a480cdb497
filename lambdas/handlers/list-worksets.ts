/** GET /worksets?state=&priority=&customer_id=&limit=&next_token= (operator listing) */
import { listWorksets } from '../lib/flows/lifecycle/operator.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { ListWorksetsContract } from '../lib/schemas/worker-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';

export const handler = httpEntry(ListWorksetsContract, async ({ query }) => json(200, await listWorksets(tableDeps(), query)));
