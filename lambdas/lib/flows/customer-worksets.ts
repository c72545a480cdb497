/** Reading a customer's worksets. Ownership is by customer_id: another customer's workset is "not found". */
import { MAX_LISTING_BYTES, type WorksetListing } from '../domain/answers.ts';
import { toWorksetDetail, type WorksetDetail } from '../domain/workset-detail.ts';
import type { WorksetState } from '../domain/workset.ts';
import type { TableDeps } from './deps.ts';
import { ownedRecord } from './ownership.ts';

export async function getCustomerWorkset(deps: TableDeps, customerId: string, worksetId: string): Promise<WorksetDetail> {
  return toWorksetDetail(ownedRecord(await deps.worksets.getWorkset(worksetId), worksetId, customerId));
}

export async function listCustomerWorksets(
  deps: TableDeps,
  customerId: string,
  query: { readonly limit: number; readonly next_token?: string; readonly state?: WorksetState },
): Promise<WorksetListing> {
  const page = await deps.worksets.listWorksets({
    customerId,
    limit: query.limit,
    maxBytes: MAX_LISTING_BYTES,
    ...(query.next_token ? { nextToken: query.next_token } : {}),
    ...(query.state ? { state: query.state } : {}),
  });
  return { worksets: page.items.map((record) => toWorksetDetail(record)), next_token: page.nextToken ?? null };
}
