/** Reading a customer's worksets. Ownership is by customer_id: another customer's workset is "not found". */
import { NotFoundError } from '../errors.ts';
import { toWorksetDetail, type WorksetDetail } from '../domain/workset-detail.ts';
import type { WorksetState } from '../domain/workset.ts';
import type { WorksetStore } from '../stores/ports.ts';

export async function getCustomerWorkset(store: WorksetStore, customerId: string, worksetId: string): Promise<WorksetDetail> {
  const record = await store.getWorkset(worksetId);
  // Same answer whether it is missing or someone else's: its existence is not revealed.
  if (!record || record.customer_id !== customerId) throw new NotFoundError(`Workset ${worksetId} not found.`);
  return toWorksetDetail(record);
}

export interface WorksetListing {
  readonly worksets: readonly WorksetDetail[];
  readonly next_token: string | null;
}

export async function listCustomerWorksets(
  store: WorksetStore,
  customerId: string,
  query: { readonly limit: number; readonly next_token?: string; readonly state?: WorksetState },
): Promise<WorksetListing> {
  const page = await store.listCustomerWorksets(customerId, {
    limit: query.limit,
    ...(query.next_token ? { nextToken: query.next_token } : {}),
    ...(query.state ? { state: query.state } : {}),
  });
  return { worksets: page.items.map((record) => toWorksetDetail(record)), next_token: page.nextToken ?? null };
}
