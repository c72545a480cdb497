/**
 * The customers' slot counters recounted: each customer's `active_worksets` against its records
 * that hold a slot by the rule every take and release follows (domain/customer.ts holdsSlot),
 * counted from the records the pass read anyway (snapshot.ts: every active state). The customers
 * looked at are those of the active records and of the records changed in the pass's window (a
 * customer whose last run just ended has none active); one with neither is not looked at.
 *
 * The records this pass's own repairs changed are read again (their slots moved since the
 * snapshot). A difference is fixed by adding it to the counter, conditioned on the counter still
 * holding what was read: a slot taken or released since refuses it, and a later pass decides
 * again. The snapshot is older than the counters and came from the state index, which lags its
 * table by a moment: a customer with a workset another writer changed from BUSY_SECONDS before
 * the snapshot on is left to a later pass (queue-recount.ts othersChanges).
 */
import { holdsSlot } from '../../domain/customer.ts';
import type { ReconcilerDeps } from '../deps.ts';
import type { Pass } from './pass.ts';
import { othersChanges } from './queue-recount.ts';
import type { Snapshot } from './snapshot.ts';

export async function recountQuotaUsage(deps: ReconcilerDeps, pass: Pass, snapshot: Snapshot): Promise<void> {
  const records = new Map([...snapshot.changed, ...snapshot.active]);
  if (pass.touched.size > 0) {
    for (const id of pass.touched) records.delete(id);
    for (const record of await deps.worksets.getWorksets([...pass.touched])) records.set(record.workset_id, record);
  }
  const held = new Map<string, number>();
  for (const record of records.values()) held.set(record.customer_id, (held.get(record.customer_id) ?? 0) + Number(holdsSlot(record.state)));

  const counters = await deps.worksets.slotCounters([...held.keys()]);
  const differing = [...held].filter(([customerId, count]) => (counters.get(customerId) ?? 0) !== count);
  if (differing.length === 0) return;
  const busy = new Set((await othersChanges(deps, pass, pass.started)).map((change) => change.customer_id));
  for (const [customerId, count] of differing) {
    if (busy.has(customerId) || pass.timeUp()) continue;
    const read = counters.get(customerId);
    const delta = count - (read ?? 0);
    const detail = `counter ${read ?? 'none'}, worksets holding a slot ${count}`;
    if (pass.dryRun) {
      pass.note({ kind: 'quota-usage', target: customerId, outcome: 'found', action: 'adjust', detail });
      continue;
    }
    await pass.attempt('quota-usage', customerId, async () => {
      const adjusted = await deps.worksets.adjustSlots({ customerId, delta, expected: read });
      pass.note({ kind: 'quota-usage', target: customerId, outcome: adjusted ? 'repaired' : 'found', action: adjusted ? `adjusted by ${delta}` : 'changed meanwhile', detail });
    });
  }
}
