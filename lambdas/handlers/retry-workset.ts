/** POST /api/customers/{customer_id}/worksets/{workset_id}/retry — {reason?}: error, failed or canceled → ready, retry counters reset, sentinels cleared */
import { retryWorkset } from '../lib/flows/lifecycle/cancel-retry.ts';
import { customerActionEntry } from '../lib/wiring/customer-action-entry.ts';

export const handler = customerActionEntry(retryWorkset);
