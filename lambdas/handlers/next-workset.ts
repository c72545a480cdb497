/** GET /worksets/next — the workset a claim would take next; 204 when the queue is empty */
import { nextWorkset } from '../lib/flows/lifecycle/queue.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json, noContent } from '../lib/http/json-responses.ts';
import { NO_INPUT } from '../lib/schemas/contract.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';

export const handler = httpEntry(NO_INPUT, async () => {
  const next = await nextWorkset(tableDeps());
  return next ? json(200, next) : noContent();
});
