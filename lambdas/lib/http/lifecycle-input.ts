/** Request pieces shared by the lifecycle handlers. */
import type * as v from 'valibot';
import { WORKSET_ID_PATTERN } from '../domain/workset-id.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { HttpEvent } from './http-handler.ts';
import { parseOrThrow } from '../schemas/parse.ts';
import { CustomerId } from '../schemas/registration-requests.ts';
import { callerOf } from './caller.ts';
import { jsonObjectBody, pathParameter } from './request.ts';

/** The JSON object body, or `{}` when the request has none (actions whose inputs are all optional). */
export function optionalJsonBody(event: HttpEvent): Record<string, unknown> {
  const raw = event.body ?? '';
  return raw.trim() === '' ? {} : jsonObjectBody(event);
}

/** A workset id from the path; one that cannot exist (wrong shape) is simply not found. */
export function worksetIdParameter(event: HttpEvent): string {
  const worksetId = pathParameter(event, 'workset_id');
  if (!WORKSET_ID_PATTERN.test(worksetId)) throw new NotFoundError(`Workset ${worksetId.slice(0, 100)} not found.`);
  return worksetId;
}

/**
 * The body with `owner_id` (and `lease_epoch`) also accepted from the query string, as the
 * reference API took them. Given in both places, they must agree.
 */
export function withLeaseQuery(event: HttpEvent, body: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...body };
  for (const name of ['owner_id', 'lease_epoch'] as const) {
    const fromQuery = event.queryStringParameters?.[name];
    if (fromQuery === undefined) continue;
    if (merged[name] !== undefined && String(merged[name]) !== fromQuery) {
      throw new InvalidInputError(`${name} differs between the query string and the body.`, [{ field: name, message: 'differs between query string and body' }]);
    }
    merged[name] ??= fromQuery;
  }
  return merged;
}

/** The common inputs of a customer action: whose, which, who asks, the body and its optional reason. */
export function customerActionInput<TSchema extends v.GenericSchema<unknown, { reason?: string | null | undefined }>>(
  event: HttpEvent,
  bodySchema: TSchema,
): { customerId: string; worksetId: string; actor: string; body: v.InferOutput<TSchema>; reason?: string } {
  const customerId = parseOrThrow(CustomerId, pathParameter(event, 'customer_id'), 'customer id', 'customer_id');
  const worksetId = worksetIdParameter(event);
  const body = parseOrThrow(bodySchema, optionalJsonBody(event), 'request body');
  return {
    customerId,
    worksetId,
    actor: callerOf(event, `customer:${customerId}`),
    body,
    ...(body.reason ? { reason: body.reason } : {}),
  };
}
