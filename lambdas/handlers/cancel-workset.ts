/** POST /api/customers/{customer_id}/worksets/{workset_id}/cancel — {reason?}: ready, retrying or in_progress → canceled; a worker holding the lease sees it on its next heartbeat or write */
import { cancelWorkset } from '../lib/flows/lifecycle/cancel-retry.ts';
import { customerActionEntry } from '../lib/wiring/customer-action-entry.ts';

export const handler = customerActionEntry(cancelWorkset);
