/** GET /api/customers/{customer_id}/worksets?limit=&next_token=&state= */
import { listCustomerWorksets } from '../lib/flows/customer-worksets.ts';
import { json } from '../lib/http/json-responses.ts';
import { ListCustomerWorksetsContract } from '../lib/schemas/customer-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(ListCustomerWorksetsContract, async ({ path, query }) => json(200, await listCustomerWorksets(tableDeps(), path.customer_id, query)));
