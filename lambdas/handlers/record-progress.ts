/** POST /worksets/{workset_id}/progress — {owner_id, lease_epoch, current_step?, started_at?, finished_at?, cluster_name?, metrics?}; state unchanged */
import { recordProgress } from '../lib/flows/lifecycle/worker.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { RecordProgressContract } from '../lib/schemas/worker-requests.ts';
import { tableDeps } from '../lib/wiring/table-deps.ts';

export const handler = httpEntry(RecordProgressContract, async ({ path, body }) => {
  const { owner_id, lease_epoch, ...progress } = body;
  return json(200, await recordProgress(tableDeps(), { worksetId: path.workset_id, lease: { owner: owner_id, epoch: lease_epoch }, ...progress }));
});
