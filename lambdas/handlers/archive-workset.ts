/** POST /api/customers/{customer_id}/worksets/{workset_id}/archive — {reason?}: a finished workset → archived; its control folder moves to the archive prefix */
import { archiveWorkset } from '../lib/flows/lifecycle/archive-restore.ts';
import { customerActionEntry } from '../lib/wiring/customer-action-entry.ts';

export const handler = customerActionEntry(archiveWorkset);
