/** POST /api/customers/{customer_id}/worksets/preview — a registration's dry run: its problems, or the files it would write. */
import { actorOf } from '../lib/domain/principal.ts';
import { previewRequest } from '../lib/flows/registration/registration-preview.ts';
import { json } from '../lib/http/json-responses.ts';
import { PreviewWorksetContract } from '../lib/schemas/registration-requests.ts';
import { claimsCustomerEntry } from '../lib/wiring/claims-customer-entry.ts';
import { previewDeps } from '../lib/wiring/preview-deps.ts';

export const handler = claimsCustomerEntry(PreviewWorksetContract, async ({ path, body, principal }) =>
  json(200, await previewRequest(previewDeps(), { customerId: path.customer_id, body, actor: actorOf(principal, `customer:${path.customer_id}`) })),
);
