/** POST /api/customers/{customer_id}/worksets — register a workset (see flows/registration). */
import { actorOf } from '../lib/domain/principal.ts';
import { registerRequest } from '../lib/flows/registration/staged-sheet.ts';
import { json } from '../lib/http/json-responses.ts';
import { worksetLocation } from '../lib/http/locations.ts';
import { CreateWorksetContract } from '../lib/schemas/registration-requests.ts';
import { runCatalogue } from '../lib/wiring/catalogue-source.ts';
import { registrationDeps } from '../lib/wiring/registration-deps.ts';
import { customerEntry } from '../lib/wiring/customer-entry.ts';

/** Init work (on Lambda the wiring runs it at init; the local server calls it at start). */
export { primeRegistration as prime } from '../lib/wiring/registration-deps.ts';

export const handler = customerEntry(CreateWorksetContract, async ({ path, headers, body, principal }) => {
  const idempotencyKey = headers['Idempotency-Key'];
  const { workset, replayed } = await registerRequest(registrationDeps(), {
    customerId: path.customer_id,
    body,
    catalogue: runCatalogue(),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    actor: actorOf(principal, `customer:${path.customer_id}`),
  });
  return json(201, workset, {
    location: worksetLocation({ customerId: workset.customer_id, worksetId: workset.workset_id }),
    ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
  });
});
