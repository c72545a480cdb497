/** GET /worksets/{workset_id} (operator view, with lease and retry fields) */
import { defaultLifecycleReadDeps } from '../lib/flows/lifecycle/default-read-deps.ts';
import { getWorkset } from '../lib/flows/lifecycle/operator.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { json } from '../lib/http/responses.ts';

export const handler = httpHandler(async (event) => json(200, await getWorkset(defaultLifecycleReadDeps(), worksetIdParameter(event))));
