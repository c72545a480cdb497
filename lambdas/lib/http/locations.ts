/** Where a resource lives in this API: the `Location` of answers that name one. */
import type { WorksetRef } from '../errors.ts';

export function worksetLocation({ customerId, worksetId }: WorksetRef): string {
  return `/api/customers/${encodeURIComponent(customerId)}/worksets/${encodeURIComponent(worksetId)}`;
}
