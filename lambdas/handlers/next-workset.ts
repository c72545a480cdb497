/** GET /worksets/next — the workset a claim would take next; 204 when the queue is empty */
import { tableDeps } from '../lib/wiring/table.ts';
import { nextWorkset } from '../lib/flows/lifecycle/queue.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { json } from '../lib/http/responses.ts';

export const handler = httpHandler(async () => {
  const next = await nextWorkset(tableDeps());
  return next ? json(200, next) : { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
