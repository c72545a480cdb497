/** GET /customers/{customer_id} — one customer's settings (operators, IAM). */
import { getCustomer } from '../lib/flows/customer-directory.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { CustomerContract } from '../lib/schemas/customer-admin-requests.ts';
import { customerAdminDeps } from '../lib/wiring/customer-admin-deps.ts';

export const handler = httpEntry(CustomerContract, async ({ path }) => json(200, await getCustomer(customerAdminDeps(), path.customer_id)));
