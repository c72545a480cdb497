/** POST /api/customers/{customer_id}/worksets — register a workset (see flows/registration). */
import { randomBytes } from 'node:crypto';
import { currentSettings } from '../lib/config/current.ts';
import { registerWorkset, type RegistrationDeps } from '../lib/flows/registration/register-workset.ts';
import { toRegistrationRequest } from '../lib/flows/registration/request.ts';
import { callerOf } from '../lib/http/caller.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { header, jsonObjectBody, pathParameter } from '../lib/http/request.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';
import { CreateWorksetRequest, CustomerId, IdempotencyKey } from '../lib/schemas/workset.ts';
import { defaultWorksetStore } from '../lib/stores/dynamodb/default-store.ts';
import { defaultControlBucketStore } from '../lib/stores/s3/default-store.ts';

let deps: RegistrationDeps | undefined;
const registrationDeps = (): RegistrationDeps =>
  (deps ??= {
    worksets: defaultWorksetStore(),
    controlBucket: defaultControlBucketStore(),
    control: currentSettings().controlBucket,
    now: () => new Date(),
    randomHex: () => randomBytes(4).toString('hex'),
  });

export const handler = httpHandler(async (event) => {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const rawKey = header(event, 'idempotency-key');
  const idempotencyKey = rawKey === undefined ? undefined : parseOrThrow(IdempotencyKey, rawKey, 'Idempotency-Key header', 'Idempotency-Key');
  const request = toRegistrationRequest(parseOrThrow(CreateWorksetRequest, jsonObjectBody(event), 'request body'));

  const outcome = await registerWorkset(registrationDeps(), {
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
