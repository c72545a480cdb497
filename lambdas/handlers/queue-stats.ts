/** GET /queue/stats — exact counts per state, constant time (counter shards) */
import { tableDeps } from '../lib/wiring/table.ts';
import { queueStats } from '../lib/flows/lifecycle/operator.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { json } from '../lib/http/responses.ts';

export const handler = httpHandler(async () => json(200, await queueStats(tableDeps())));
