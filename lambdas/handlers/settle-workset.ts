/** POST /worksets/{workset_id}/settle — {older_than_seconds?, dry_run?} (see flows/registration/settle-registration.ts) */
import { actorOf } from '../lib/domain/principal.ts';
import { settleWorkset } from '../lib/flows/registration/settle-registration.ts';
import { httpEntry } from '../lib/http/http-entry.ts';
import { json } from '../lib/http/json-responses.ts';
import { SettleWorksetContract } from '../lib/schemas/worker-requests.ts';
import { settleDeps } from '../lib/wiring/settle-deps.ts';

export const handler = httpEntry(SettleWorksetContract, async ({ path, body, principal }) =>
  json(
    200,
    await settleWorkset(settleDeps(), path.workset_id, {
      ...(body.older_than_seconds !== undefined ? { olderThanSeconds: body.older_than_seconds } : {}),
      dryRun: body.dry_run === true,
      actor: actorOf(principal, 'operator'),
    }),
  ),
);
