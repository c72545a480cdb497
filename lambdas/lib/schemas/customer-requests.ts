/**
 * What the customer routes read besides registration (registration-requests.ts): listings, one
 * workset, its history, and the actions on it.
 */
import * as v from 'valibot';
import { WORKSET_STATES } from '../domain/workset.ts';
import type { RequestContract } from './contract.ts';
import { nextToken, pageLimit, text } from './fields.ts';
import { customerIdParameter, worksetIdParameter } from './path-parameters.ts';

export const ListWorksetsQuery = v.strictObject({
  limit: pageLimit(100, '50'),
  next_token: nextToken(),
  state: v.optional(v.picklist(WORKSET_STATES, `must be one of ${WORKSET_STATES.join(', ')}`)),
});
export type ListWorksetsQuery = v.InferOutput<typeof ListWorksetsQuery>;

const reason = text(1000);
export const CustomerActionRequest = v.strictObject({ reason: v.optional(v.nullable(reason)) });
export const DeleteRequest = v.strictObject({ reason: v.optional(v.nullable(reason)), hard_delete: v.optional(v.boolean(), false) });
export const HistoryQuery = v.strictObject({ limit: pageLimit(1000, '100'), next_token: nextToken() });

const customerWorkset = { customer_id: customerIdParameter, workset_id: worksetIdParameter } as const;

export const ListCustomerWorksetsContract = { path: { customer_id: customerIdParameter }, query: ListWorksetsQuery } satisfies RequestContract;
export const GetCustomerWorksetContract = { path: customerWorkset } satisfies RequestContract;
/** cancel, retry, archive, restore: an optional reason. */
export const CustomerActionContract = { path: customerWorkset, body: { schema: CustomerActionRequest, required: false } } satisfies RequestContract;
export const DeleteWorksetContract = { path: customerWorkset, body: { schema: DeleteRequest, required: false } } satisfies RequestContract;
export const WorksetLogsContract = { path: customerWorkset, query: HistoryQuery } satisfies RequestContract;
