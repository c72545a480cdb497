/**
 * The customers' slot counters recounted: each customer's `active_worksets` against its records
 * that hold a slot by the rule every take and release follows (domain/customer.ts holdsSlot),
 * counted from the records the pass read anyway (snapshot.ts: every active state). The customers
 * looked at are those of the active records and of the records changed in the pass's window (a
 * customer whose last run just ended has none active), and a turn of QUOTA_TURN customers through
 * the directory (every customer with --full-recount): a customer with neither, whose counter was
 * left too high, would otherwise be refused (429) until one of its worksets changes.
 *
 * The snapshot is older than the counters, and came from the state index, which lags its table.
 * A customer with a workset another writer changed from BUSY_SECONDS before the snapshot on is
 * left to a later pass (queue-recount.ts othersChanges); a difference is confirmed by reading the
 * customer's records again, after its counter (this pass's own repairs, and a failed
 * registration's removal, write no change the window shows). It is fixed by adding it to the
 * counter, conditioned on the counter still holding what was read: a slot taken or released
 * since refuses it, and a later pass decides again.
 */
import { holdsSlot } from '../../domain/customer.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import type { ReconcilerDeps } from '../deps.ts';
import type { Pass } from './pass.ts';
import { othersChanges } from './queue-recount.ts';
import type { Snapshot } from './snapshot.ts';

/** Per customer, how many of `records` hold a slot (0 for a customer none of whose do). */
function slotsHeld(records: Iterable<WorksetRecord>): Map<string, number> {
  const held = new Map<string, number>();
  for (const record of records) held.set(record.customer_id, (held.get(record.customer_id) ?? 0) + Number(holdsSlot(record.state)));
  return held;
}

/** How many customers of the directory a pass looks at besides those of the records it read. */
export const QUOTA_TURN = 100;

/**
 * This pass's turn through the directory: the next QUOTA_TURN customers after `after` (all with
 * --full-recount), and where the next pass's turn starts (undefined: from the first again).
 */
async function customersInTurn(deps: ReconcilerDeps, pass: Pass, after: string | undefined): Promise<{ customerIds: string[]; next: string | undefined }> {
  const customerIds: string[] = [];
  let from = after;
  for (;;) {
    const page = await deps.worksets.customerTurn(from, QUOTA_TURN);
    customerIds.push(...page.customerIds);
    from = page.more ? page.customerIds.at(-1) : undefined;
    if (!pass.fullRecount || from === undefined || pass.timeUp()) return { customerIds, next: from };
  }
}

/** Recounts the customers' slot counters; answers where the next pass's turn through the directory starts. */
export async function recountQuotaUsage(deps: ReconcilerDeps, pass: Pass, snapshot: Snapshot, after: string | undefined): Promise<string | undefined> {
  const records = [...snapshot.changed.values(), ...snapshot.active.values()];
  const held = slotsHeld(records);
  // A full recount looks at every customer, from the first.
  const turn = await customersInTurn(deps, pass, pass.fullRecount ? undefined : after);
  // A customer of the turn none of whose records the pass read holds no slot: every active record was read.
  for (const customerId of turn.customerIds) if (!held.has(customerId)) held.set(customerId, 0);
  const counters = await deps.worksets.slotCounters([...held.keys()]);
  const differs = (customerId: string, count = 0) => (counters.get(customerId) ?? 0) !== count;
  if (![...held].some(([customerId, count]) => differs(customerId, count))) return turn.next;

  const busy = new Set((await othersChanges(deps, pass, pass.started)).map((change) => change.customer_id));
  const suspects = new Set([...held].filter(([customerId, count]) => differs(customerId, count) && !busy.has(customerId)).map(([customerId]) => customerId));
  const fresh = slotsHeld(await deps.worksets.getWorksets(records.filter((record) => suspects.has(record.customer_id)).map((record) => record.workset_id)));
  for (const customerId of suspects) {
    if (pass.timeUp()) return turn.next;
    const count = fresh.get(customerId) ?? 0;
    if (!differs(customerId, count)) continue;
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
  return turn.next;
}
