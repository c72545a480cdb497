/** GET /api/customers/{customer_id}/worksets/{workset_id} */
import { getCustomerWorkset } from '../lib/flows/customer-worksets.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { GetCustomerWorksetContract } from '../lib/schemas/customer-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';

export const handler = httpEntry(GetCustomerWorksetContract, async ({ path }) => json(200, await getCustomerWorkset(tableDeps(), path.customer_id, path.workset_id)));
