/** PATCH /customers/{customer_id} — change quotas, data locations, machine clients, billing tags or `suspended` (operators, IAM). */
import { updateCustomer } from '../lib/flows/customer-directory.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { UpdateCustomerContract } from '../lib/schemas/customer-admin-requests.ts';
import { customerAdminDeps } from '../lib/wiring/customer-admin-deps.ts';

export const handler = httpEntry(UpdateCustomerContract, async ({ path, body }) => {
  // Only the fields given change (absent ones are undefined, and left as they are).
  const { customer_name, email, max_active_worksets, max_samples_per_workset, data_locations, billing_tags, machine_clients, suspended } = body;
  const changes = { customer_name, email, max_active_worksets, max_samples_per_workset, data_locations, billing_tags, machine_clients, suspended };
  return json(200, await updateCustomer(customerAdminDeps(), path.customer_id, changes));
});
