/** GET /queue/stats — exact counts per state, constant time (counter shards) */
import { queueStats } from '../lib/flows/lifecycle/operator.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { NO_INPUT } from '../lib/schemas/contract.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';

export const handler = httpEntry(NO_INPUT, async () => json(200, await queueStats(tableDeps())));
