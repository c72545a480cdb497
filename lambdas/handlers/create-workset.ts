/** POST /api/customers/{customer_id}/worksets — register a workset (see flows/registration). */
import { registerWorkset } from '../lib/flows/registration/register-workset.ts';
import { toRegistrationRequest } from '../lib/flows/registration/registration-request.ts';
import { callerOf } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { header, jsonObjectBody, pathParameter } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';
import { CreateWorksetRequest, CustomerId, IdempotencyKey } from '../lib/schemas/registration-requests.ts';
import { registrationDeps } from '../lib/wiring/registration.ts';

export const handler = httpHandler(async (event) => {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const rawKey = header(event, 'idempotency-key');
  const idempotencyKey = rawKey === undefined ? undefined : parseOrThrow(IdempotencyKey, rawKey, 'Idempotency-Key header', 'Idempotency-Key');
  const request = toRegistrationRequest(parseOrThrow(CreateWorksetRequest, jsonObjectBody(event), 'request body'));

  const { workset, replayed } = await registerWorkset(registrationDeps(), {
    customerId,
    request,
    ...(idempotencyKey ? { idempotencyKey } : {}),
    actor: callerOf(event, `customer:${customerId}`),
  });
  return json(201, workset, {
    location: `/api/customers/${encodeURIComponent(workset.customer_id)}/worksets/${encodeURIComponent(workset.workset_id)}`,
    ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
  });
});
