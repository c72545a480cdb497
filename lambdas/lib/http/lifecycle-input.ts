/** Request pieces shared by the lifecycle handlers. */
import { WORKSET_ID_PATTERN } from '../domain/workset-id.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { HttpEvent } from './http-handler.ts';
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

/** The common inputs of a customer action: whose, which, who asks, and an optional reason. */
export function customerActionInput<T extends { reason?: string | null | undefined }>(
  event: HttpEvent,
  parse: (body: Record<string, unknown>) => T,
  customerIdOf: (raw: string) => string,
  callerOf: (event: HttpEvent, fallback: string) => string,
): { customerId: string; worksetId: string; actor: string; body: T; reason?: string } {
  const customerId = customerIdOf(pathParameter(event, 'customer_id'));
  const worksetId = worksetIdParameter(event);
  const body = parse(optionalJsonBody(event));
  return {
    customerId,
    worksetId,
    actor: callerOf(event, `customer:${customerId}`),
    body,
    ...(body.reason ? { reason: body.reason } : {}),
  };
}
