/** POST /api/customers/{customer_id}/worksets/{workset_id}/restore — {reason?}: archived → the state it was archived from (error/failed → ready); the folder moves back */
import { restoreWorkset } from '../lib/flows/lifecycle/archive-restore.ts';
import { customerActionEntry } from '../lib/wiring/customer-action-entry.ts';

export const handler = customerActionEntry(restoreWorkset);
