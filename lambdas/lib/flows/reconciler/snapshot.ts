/**
 * What a pass reads before it repairs anything: only what can drift. Every record in an active
 * state (the state index: O(active)), the records flagged for sentinel repair (the reconcile
 * index: O(flagged)) and the records changed since the last pass (the reconcile index by hour:
 * O(changes)). Terminal records that did not change are not read; their folders are looked at
 * by the folder scan (folders.ts), whose listing is the one cost that grows with every folder.
 */
import { ACTIVE_STATES } from '../../domain/drift.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import type { ReconcilerDeps } from '../deps.ts';
import type { Pass } from './pass.ts';

/** Records a listing page asks for (DynamoDB returns at most 1 MB a query; the store goes on). */
const PAGE = 1000;

export interface Snapshot {
  /** Every record in an active state, by id. */
  readonly active: ReadonlyMap<string, WorksetRecord>;
  /** Records flagged `sentinel_sync_pending`, by id. */
  readonly flagged: ReadonlyMap<string, WorksetRecord>;
  /** Records changed in the window and neither active nor flagged, by id. */
  readonly changed: ReadonlyMap<string, WorksetRecord>;
}

export async function readSnapshot(deps: ReconcilerDeps, pass: Pass, window: { readonly since: string; readonly until: string }): Promise<Snapshot> {
  const active = new Map<string, WorksetRecord>();
  for (const state of ACTIVE_STATES) {
    let nextToken: string | undefined;
    do {
      const page = await deps.worksets.listWorksets({ state, limit: PAGE, ...(nextToken ? { nextToken } : {}) });
      for (const record of page.items) active.set(record.workset_id, record);
      nextToken = page.nextToken;
    } while (nextToken);
  }

  const flagged = new Map<string, WorksetRecord>();
  let startKey: string | undefined;
  do {
    const page = await deps.worksets.flaggedRecords({ limit: PAGE, ...(startKey ? { startKey } : {}) });
    for (const record of page.items) flagged.set(record.workset_id, record);
    startKey = page.nextKey;
  } while (startKey);

  const changedIds = new Set<string>();
  startKey = undefined;
  do {
    const page = await deps.worksets.changesSince({ ...window, limit: PAGE, ...(startKey ? { startKey } : {}) });
    for (const change of page.items) if (!active.has(change.workset_id) && !flagged.has(change.workset_id)) changedIds.add(change.workset_id);
    startKey = page.nextKey;
  } while (startKey);
  const changed = new Map((await deps.worksets.getWorksets([...changedIds])).map((record) => [record.workset_id, record] as const));

  Object.assign(pass.read, { active: active.size, flagged: flagged.size, changed: changed.size });
  return { active, flagged, changed };
}
