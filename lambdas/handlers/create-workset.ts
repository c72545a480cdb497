/** POST /api/customers/{customer_id}/worksets — register a workset (see flows/registration). */
import { defaultRegistrationDeps } from '../lib/flows/registration/default-deps.ts';
import { registerWorkset } from '../lib/flows/registration/register-workset.ts';
import { toRegistrationRequest } from '../lib/flows/registration/request.ts';
import { callerOf } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { header, jsonObjectBody, pathParameter } from '../lib/http/request.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';
import { CreateWorksetRequest, CustomerId, IdempotencyKey } from '../lib/schemas/workset.ts';

export const handler = httpHandler(async (event) => {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const rawKey = header(event, 'idempotency-key');
  const idempotencyKey = rawKey === undefined ? undefined : parseOrThrow(IdempotencyKey, rawKey, 'Idempotency-Key header', 'Idempotency-Key');
  const request = toRegistrationRequest(parseOrThrow(CreateWorksetRequest, jsonObjectBody(event), 'request body'));

  const outcome = await registerWorkset(defaultRegistrationDeps(), {
    customerId,
    request,
    ...(idempotencyKey ? { idempotencyKey } : {}),
    actor: callerOf(event, `customer:${customerId}`),
  });
  return {
    statusCode: outcome.status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      location: outcome.location,
      ...(outcome.replayed ? { 'idempotent-replayed': 'true' } : {}),
    },
    body: outcome.body,
  };
});
