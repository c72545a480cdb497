/** GET /api/customers/{customer_id}/worksets/{workset_id} */
import { getCustomerWorkset } from '../lib/flows/customer-worksets.ts';
import { json } from '../lib/http/json-responses.ts';
import { GetCustomerWorksetContract } from '../lib/schemas/customer-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(GetCustomerWorksetContract, async ({ path }) => json(200, await getCustomerWorkset(tableDeps(), path.customer_id, path.workset_id)));
