/** Reading a customer's worksets. Ownership is by customer_id: another customer's workset is "not found". */
import { toWorksetDetail, type WorksetDetail } from '../domain/workset-detail.ts';
import { ownedRecord } from './ownership.ts';
import type { WorksetState } from '../domain/workset.ts';
import type { WorksetStore } from '../stores/ports.ts';

export async function getCustomerWorkset(store: WorksetStore, customerId: string, worksetId: string): Promise<WorksetDetail> {
  return toWorksetDetail(ownedRecord(await store.getWorkset(worksetId), worksetId, customerId));
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
