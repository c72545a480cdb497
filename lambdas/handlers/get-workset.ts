/** GET /worksets/{workset_id} (operator view, with lease and retry fields) */
import { tableDeps } from '../lib/wiring/table.ts';
import { getWorkset } from '../lib/flows/lifecycle/operator.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';

export const handler = httpHandler(async (event) => json(200, await getWorkset(tableDeps(), worksetIdParameter(event))));
