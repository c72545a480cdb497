/** The path parameters the routes share: whose worksets (`customer_id`) and which (`workset_id`). */
import * as v from 'valibot';
import { CUSTOMER_ID_PATTERN } from '../domain/workset.ts';
import { WORKSET_ID_PATTERN } from '../domain/workset-id.ts';
import type { PathParameter } from './contract.ts';

export const CustomerId = v.pipe(
  v.string(),
  v.regex(CUSTOMER_ID_PATTERN, 'must be a customer id ([A-Za-z0-9_-], at most 128 characters)'),
);

export const customerIdParameter = { schema: CustomerId } satisfies PathParameter;

/** A workset id of the wrong shape names nothing that can exist: the same 404 as a missing one. */
export const worksetIdParameter = { schema: v.pipe(v.string(), v.regex(WORKSET_ID_PATTERN)), notFoundAs: 'Workset' } satisfies PathParameter;
