/** GET /api/customers/{customer_id}/worksets/{workset_id}/logs?limit=&next_token= — the full history, oldest first */
import { worksetHistory } from '../lib/flows/lifecycle/workset-history.ts';
import { json } from '../lib/http/json-responses.ts';
import { WorksetLogsContract } from '../lib/schemas/customer-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

export const handler = customerEntry(WorksetLogsContract, async ({ path, query }) =>
  json(
    200,
    await worksetHistory(tableDeps(), {
      customerId: path.customer_id,
      worksetId: path.workset_id,
      limit: query.limit,
      ...(query.next_token ? { nextToken: query.next_token } : {}),
    }),
  ),
);
