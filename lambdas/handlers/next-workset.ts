/** GET /worksets/next — the workset a claim would take next; 204 when the queue is empty */
import { defaultLifecycleReadDeps } from '../lib/flows/lifecycle/default-read-deps.ts';
import { nextWorkset } from '../lib/flows/lifecycle/leases.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { json } from '../lib/http/responses.ts';

export const handler = httpHandler(async () => {
  const next = await nextWorkset(defaultLifecycleReadDeps());
  return next ? json(200, next) : { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
