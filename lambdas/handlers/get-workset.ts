/** GET /worksets/{workset_id} (operator view, with lease and retry fields) */
import { getWorkset } from '../lib/flows/lifecycle/operator.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { GetWorksetContract } from '../lib/schemas/worker-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';

export const handler = httpEntry(GetWorksetContract, async ({ path }) => json(200, await getWorkset(tableDeps(), path.workset_id)));
