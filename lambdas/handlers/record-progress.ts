/** POST /worksets/{workset_id}/progress — {owner_id, lease_epoch, current_step?, started_at?, finished_at?, metrics?}; state unchanged */
import { tableDeps } from '../lib/wiring/table.ts';
import { recordProgress } from '../lib/flows/lifecycle/worker.ts';
import { httpHandler } from '../lib/http/http-handler.ts';
import { withLeaseQuery, worksetIdParameter } from '../lib/http/lifecycle-input.ts';
import { jsonObjectBody } from '../lib/http/request.ts';
import { json } from '../lib/http/responses.ts';
import { ProgressRequest } from '../lib/schemas/lifecycle-requests.ts';
import { parseOrThrow } from '../lib/schemas/parse.ts';

export const handler = httpHandler(async (event) => {
  const worksetId = worksetIdParameter(event);
  const { owner_id, lease_epoch, ...progress } = parseOrThrow(ProgressRequest, withLeaseQuery(event, jsonObjectBody(event)), 'request body');
  return json(200, await recordProgress(tableDeps(), { worksetId, lease: { owner: owner_id, epoch: lease_epoch }, ...progress }));
});
