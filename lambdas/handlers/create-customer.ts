/** POST /customers — onboard a customer: a generated customer_id, its quotas, data locations and machine clients (operators, IAM). */
import { onboardCustomer } from '../lib/flows/customer-directory.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { CreateCustomerContract } from '../lib/schemas/customer-admin-requests.ts';
import { customerAdminDeps } from '../lib/wiring/customer-admin-deps.ts';

export const handler = httpEntry(CreateCustomerContract, async ({ body }) => {
  const customer = await onboardCustomer(customerAdminDeps(), body);
  return json(201, customer, { location: `/customers/${encodeURIComponent(customer.customer_id)}` });
});
