/** GET /customers?limit=&next_token= — every customer, in id order (operators, IAM). */
import { listCustomers } from '../lib/flows/customer-directory.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { ListCustomersContract } from '../lib/schemas/customer-admin-requests.ts';
import { customerAdminDeps } from '../lib/wiring/customer-admin-deps.ts';

export const handler = httpEntry(ListCustomersContract, async ({ query }) => json(200, await listCustomers(customerAdminDeps(), query)));
