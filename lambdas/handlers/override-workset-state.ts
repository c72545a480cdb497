/** PUT /worksets/{workset_id}/override — an operator's transition, without a lease: {state, reason, error_details?, cluster_name?} */
import { actorOf } from '../lib/domain/principal.ts';
import { overrideState } from '../lib/flows/lifecycle/worker.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { OverrideWorksetStateContract } from '../lib/schemas/worker-requests.ts';
import { controlBucketDeps } from '../lib/wiring/control-bucket-deps.ts';

export const handler = httpEntry(OverrideWorksetStateContract, async ({ path, body, principal }) => {
  const { state, reason, ...report } = body;
  return json(200, await overrideState(controlBucketDeps(), { worksetId: path.workset_id, state, reason, ...report, actor: actorOf(principal, 'operator') }));
});
