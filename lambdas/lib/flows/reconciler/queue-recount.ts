/**
 * The queue counters recounted: each state's counter (the sum of its shards) against the records
 * in that state (a count of the state index). Every pass recounts the active states, whose
 * records it reads anyway, and one other state in turn (the rotation of domain/drift.ts:
 * counting a terminal state reads all its records, so each is counted once every few passes); a
 * full recount does them all.
 *
 * A difference is fixed by adding it to one shard, conditioned on every shard still holding what
 * was read for that state: any state change since (each moves a shard of both its states)
 * refuses the fix, and a later pass decides again. The state index lags its table by a moment,
 * so a difference is confirmed by a second count `indexSettleMs` after the shards were read, and
 * a state some other writer changed in the last BUSY_SECONDS is left to a later pass.
 */
import { ACTIVE_STATES, nextInRotation, RECOUNT_ROTATION } from '../../domain/drift.ts';
import type { StateChangeDetail } from '../../domain/state-change-event.ts';
import type { WorksetState } from '../../domain/workset.ts';
import type { ReconcilerDeps } from '../deps.ts';
import type { Pass } from './pass.ts';

/** A state another writer changed this recently may not be in the state index yet. */
export const BUSY_SECONDS = 30;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The state changes other writers made from BUSY_SECONDS before `readAt` on (this pass's own
 * repairs excluded), read `indexSettleMs` after the call: by then the reconcile index holds
 * whatever was written before it (before the counters were read). A recount leaves what they
 * touched to a later pass.
 */
export async function othersChanges(deps: ReconcilerDeps, pass: Pass, readAt: Date): Promise<StateChangeDetail[]> {
  await sleep(deps.indexSettleMs ?? 2_000);
  const since = new Date(readAt.getTime() - BUSY_SECONDS * 1000).toISOString();
  const changes: StateChangeDetail[] = [];
  let startKey: string | undefined;
  do {
    const page = await deps.worksets.changesSince({ since, until: deps.now().toISOString(), limit: 1000, ...(startKey ? { startKey } : {}) });
    changes.push(...page.items.filter((change) => !(change.actor === pass.actor && pass.touched.has(change.workset_id))));
    startKey = page.nextKey;
  } while (startKey);
  return changes;
}

/** Recounts this pass's states; answers the state the next pass's rotation recounts. */
export async function recountQueue(deps: ReconcilerDeps, pass: Pass, rotation: WorksetState | undefined): Promise<WorksetState> {
  const turn = rotation && RECOUNT_ROTATION.includes(rotation) ? rotation : nextInRotation(undefined);
  const states: readonly WorksetState[] = pass.fullRecount ? [...ACTIVE_STATES, ...RECOUNT_ROTATION] : [...ACTIVE_STATES, turn];
  const next = pass.fullRecount ? turn : nextInRotation(turn);

  const readAt = deps.now();
  const shards = await deps.worksets.counterShards();
  const stored = (state: WorksetState) => shards.reduce((sum, shard) => sum + (shard.counts[state] ?? 0), 0);
  const differing: WorksetState[] = [];
  for (const state of states) {
    if (pass.timeUp()) return next;
    if ((await deps.worksets.countInState(state)) !== stored(state)) differing.push(state);
  }
  if (differing.length === 0) return next;

  // Anything written before the shards were read is in the index by now; anything after moved a shard.
  const busy = new Set((await othersChanges(deps, pass, readAt)).flatMap((change) => [change.to, ...(change.from ? [change.from] : [])]));
  for (const state of differing) {
    if (busy.has(state) || pass.timeUp()) continue;
    await pass.attempt('queue-counter', state, async () => {
      const counted = await deps.worksets.countInState(state);
      if (counted === stored(state)) return;
      const detail = `counter ${stored(state)}, records ${counted}`;
      if (pass.dryRun) return pass.note({ kind: 'queue-counter', target: state, outcome: 'found', action: 'adjust', detail });
      const adjusted = await deps.worksets.adjustCounter({ state, delta: counted - stored(state), shards });
      pass.note({ kind: 'queue-counter', target: state, outcome: adjusted ? 'repaired' : 'found', action: adjusted ? `adjusted by ${counted - stored(state)}` : 'changed meanwhile', detail });
    });
  }
  return next;
}
