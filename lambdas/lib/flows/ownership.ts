/**
 * Who may see a workset: ownership is by `customer_id`, never by bucket. A customer asking for
 * another customer's workset gets the same 404 as for a missing one, so ids reveal nothing.
 * Operator and worker routes pass no customer and see every workset.
 */
import { notFound as notFoundError, type NotFoundError } from '../errors.ts';

export function notFound(worksetId: string): NotFoundError {
  return notFoundError('Workset', worksetId);
}

/** The record if `customerId` (when given) owns it; otherwise 404. */
export function ownedRecord<R extends { readonly customer_id: string }>(record: R | undefined, worksetId: string, customerId?: string): R {
  if (!record || (customerId !== undefined && record.customer_id !== customerId)) throw notFound(worksetId);
  return record;
}
