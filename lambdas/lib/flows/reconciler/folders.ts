/**
 * The folder checks of a pass: the sentinels of every folder under the control prefix, from a
 * listing of the prefix (1,000 keys a request, resumable by key), against the records the pass
 * knows (every active one, and the ones changed since the last pass). A folder that no known
 * record explains is looked at only when what it shows needs a record (domain/drift.ts
 * needsItsRecord): those records are read in batches.
 *
 * Two repairs come of it, both after a fresh look (the record, and the folder's sentinels):
 * - the folder of a record shows other sentinels than its state implies (`sentinels`, or
 *   `stray-ready` when `daylily.ready` is among the extra ones): the record's full plan, through
 *   the lifecycle's fenced sentinel sync;
 * - a folder shows `daylily.ready` and no record points at it (removed, or moved elsewhere):
 *   `daylily.ready` is withdrawn (`stray-ready`), and put back should its record turn out to be
 *   `ready` there after all.
 * A record written in the last QUIET_SECONDS may have its own sync in flight, and one with a
 * move claim is being moved: both are left to a later pass. `registering` records are the settle
 * pass's (record-repairs.ts).
 */
import { folderOf, needsItsRecord, sentinelDrift, sentinelsIn } from '../../domain/drift.ts';
import { SENTINELS, type SentinelName } from '../../domain/sentinels.ts';
import type { WorksetRecord } from '../../domain/workset.ts';
import { logger } from '../../logging.ts';
import { currentPlan, syncSentinels } from '../lifecycle/sentinel-sync.ts';
import type { ReconcilerDeps } from '../deps.ts';
import type { Pass } from './pass.ts';
import type { Snapshot } from './snapshot.ts';

/** How recently a record may have been written and still have its own sentinel sync in flight. */
export const QUIET_SECONDS = 60;

/** S3's largest page. */
const SCAN_PAGE = 1000;

/**
 * Keys of a folder sort after `{folder}` and before `{folder}\uffff` (bar names beyond the BMP):
 * a listing that reached a folder's files past its sentinels (`daylily.*` sort first) starts the
 * next page after this, so a folder holding many results costs one request, not one per 1,000.
 */
const PAST_FOLDER = '\uffff';

const SENTINEL_PREFIX = 'daylily.';

interface Folder {
  readonly bucket: string;
  /** `{control prefix}{workset id}/` */
  readonly prefix: string;
  readonly worksetId: string;
  readonly sentinels: Set<SentinelName>;
}

export interface FolderScan {
  /** Where the next pass resumes the scan (absent: it starts over). */
  readonly scanAfter?: string;
  /** Whether every changed record's folder was looked at (the change window may then move on). */
  readonly changedChecked: boolean;
}

/** The sentinels of one folder, fresh: one listing of `{folder}daylily.`. */
async function freshSentinels(deps: ReconcilerDeps, bucket: string, prefix: string): Promise<Set<SentinelName>> {
  const page = await deps.controlBucket.listPage(bucket, `${prefix}${SENTINEL_PREFIX}`, { maxKeys: 100 });
  return sentinelsIn(page.objects.map((object) => object.key.slice(prefix.length)));
}

const owns = (record: WorksetRecord | undefined, folder: Pick<Folder, 'bucket' | 'prefix'>): boolean =>
  record !== undefined && record.control_bucket === folder.bucket && record.control_prefix === folder.prefix;

/** Whether a record may have a sync of its own in flight, or is being moved: a later pass looks again. */
function busy(deps: ReconcilerDeps, record: WorksetRecord): boolean {
  const now = deps.now();
  return (
    now.getTime() - Date.parse(record.updated_at) < QUIET_SECONDS * 1000 ||
    (record.move_claim !== undefined && record.move_claim.expires_at > now.toISOString())
  );
}

const describe = (drift: { missing: readonly string[]; extra: readonly string[] }): string =>
  [...(drift.missing.length ? [`missing ${drift.missing.join(', ')}`] : []), ...(drift.extra.length ? [`extra ${drift.extra.join(', ')}`] : [])].join('; ');

/**
 * Judges one folder against its record (undefined: none known or none exists) and repairs it.
 * `confirmed`: the record and sentinels were just read afresh; otherwise a drift is first
 * confirmed so (the listing may be older than a live request's sync).
 */
async function judge(deps: ReconcilerDeps, pass: Pass, folder: Folder, record: WorksetRecord | undefined, confirmed = false): Promise<void> {
  if (pass.touched.has(folder.worksetId)) return;
  if (record && owns(record, folder)) {
    if (record.state === 'registering') return;
    const drift = sentinelDrift(record, folder.sentinels);
    if (!drift || busy(deps, record)) return;
    if (!confirmed) return reread(deps, pass, folder);
    const kind = drift.extra.includes(SENTINELS.ready) ? 'stray-ready' : 'sentinels';
    if (pass.dryRun) return pass.note({ kind, target: record.workset_id, outcome: 'found', action: 'sync', detail: describe(drift) });
    pass.touched.add(record.workset_id);
    const status = await syncSentinels(deps, record, currentPlan(record, deps.now()));
    return pass.note({ kind, target: record.workset_id, outcome: status.in_sync ? 'repaired' : 'failed', action: 'synced', detail: `${record.state}: ${describe(drift)}` });
  }
  // No record points at this folder: only daylily.ready matters (the monitor would run it).
  if (!folder.sentinels.has(SENTINELS.ready) || (record && busy(deps, record))) return;
  if (!confirmed) return reread(deps, pass, folder);
  const detail = record ? `its record ${record.workset_id} is ${record.state} in ${record.control_prefix}` : 'no record';
  if (pass.dryRun) return pass.note({ kind: 'stray-ready', target: folder.worksetId, outcome: 'found', action: 'withdraw', detail });
  pass.touched.add(folder.worksetId);
  await deps.controlBucket.delete(folder.bucket, [`${folder.prefix}${SENTINELS.ready}`]);
  // A record that came to point here as `ready` meanwhile (a restore finishing) gets its plan back.
  const now = await deps.worksets.getWorkset(folder.worksetId);
  if (now && owns(now, folder) && now.state === 'ready') {
    await syncSentinels(deps, now, currentPlan(now, deps.now()));
    return pass.note({ kind: 'stray-ready', target: folder.worksetId, outcome: 'found', action: 'changed', detail: 'its record became ready there meanwhile' });
  }
  pass.note({ kind: 'stray-ready', target: folder.worksetId, outcome: 'repaired', action: 'withdrawn', detail });
}

async function reread(deps: ReconcilerDeps, pass: Pass, folder: Folder): Promise<void> {
  const [record, sentinels] = await Promise.all([deps.worksets.getWorkset(folder.worksetId), freshSentinels(deps, folder.bucket, folder.prefix)]);
  await judge(deps, pass, { ...folder, sentinels }, record, true);
}

/** The folders of one listing page (the last one may go on in the next page). */
function foldersOf(bucket: string, controlPrefix: string, keys: readonly string[]): Array<Folder & { lastKey: string; pastSentinels: boolean }> {
  const folders: Array<Folder & { lastKey: string; pastSentinels: boolean }> = [];
  for (const key of keys) {
    const found = folderOf(controlPrefix, key);
    if (!found) continue;
    let folder = folders.at(-1);
    if (folder?.worksetId !== found.worksetId) {
      folder = { bucket, prefix: `${controlPrefix}${found.worksetId}/`, worksetId: found.worksetId, sentinels: new Set(), lastKey: key, pastSentinels: false };
      folders.push(folder);
    }
    folder.lastKey = key;
    if (found.name.startsWith(SENTINEL_PREFIX)) for (const name of sentinelsIn([found.name])) folder.sentinels.add(name);
    else if (found.name > SENTINEL_PREFIX) folder.pastSentinels = true;
  }
  return folders;
}

export async function checkFolders(deps: ReconcilerDeps, pass: Pass, snapshot: Snapshot, startAfter: string | undefined): Promise<FolderScan> {
  if (!deps.controlLocation.ok) {
    logger.warn('the reconciler scans no folders: no control bucket is configured', { problem: deps.controlLocation.problem });
    return { ...(startAfter ? { scanAfter: startAfter } : {}), changedChecked: false };
  }
  const { bucket, prefix } = deps.controlLocation;
  const known = new Map([...snapshot.active, ...snapshot.changed]);
  const visited = new Set<string>();
  const judgeAll = async (folders: readonly Folder[]): Promise<void> => {
    // The folders no known record explains, whose records are worth reading: one batch read.
    const unknown = folders.filter((folder) => !known.has(folder.worksetId) && needsItsRecord(folder.sentinels));
    const records = new Map((await deps.worksets.getWorksets(unknown.map((folder) => folder.worksetId))).map((record) => [record.workset_id, record] as const));
    for (const folder of folders) {
      visited.add(folder.worksetId);
      if (!known.has(folder.worksetId) && !needsItsRecord(folder.sentinels)) continue;
      await pass.attempt(folder.sentinels.has(SENTINELS.ready) ? 'stray-ready' : 'sentinels', folder.worksetId, () => judge(deps, pass, folder, known.get(folder.worksetId) ?? records.get(folder.worksetId)));
    }
  };

  // The scan, page by page; a folder cut by a page's end is carried into the next.
  let after = startAfter;
  let resumeAfter = startAfter;
  let carried: (Folder & { lastKey: string; pastSentinels: boolean }) | undefined;
  let scanned = false;
  while (!pass.timeUp()) {
    const page = await deps.controlBucket.listPage(bucket, prefix, { ...(after ? { startAfter: after } : {}), maxKeys: SCAN_PAGE });
    const folders = foldersOf(bucket, prefix, page.objects.map((object) => object.key));
    if (carried && folders[0]?.worksetId === carried.worksetId) {
      for (const name of folders[0].sentinels) carried.sentinels.add(name);
      folders[0] = { ...folders[0], sentinels: carried.sentinels };
    } else if (carried) {
      folders.unshift(carried);
    }
    carried = page.more ? folders.pop() : undefined;
    await judgeAll(folders);
    pass.read.folders += folders.length;
    resumeAfter = folders.at(-1)?.lastKey ?? resumeAfter;
    if (!page.more) {
      scanned = true;
      break;
    }
    after = carried?.pastSentinels ? `${carried.prefix}${PAST_FOLDER}` : page.objects.at(-1)!.key;
  }

  // Changed records whose folders the scan did not reach (another bucket or prefix, an archived
  // folder, or past where this pass's scan stopped); active ones only when out of its reach.
  const inScope = (record: WorksetRecord) => record.control_bucket === bucket && record.control_prefix.startsWith(prefix);
  const rest = [...snapshot.changed.values(), ...[...snapshot.active.values()].filter((record) => !inScope(record))].filter((record) => !visited.has(record.workset_id));
  let changedChecked = true;
  for (const record of rest) {
    if (pass.timeUp()) {
      changedChecked = false;
      break;
    }
    if (record.state === 'registering' || !pass.untouched(record)) continue;
    const folder: Folder = { bucket: record.control_bucket, prefix: record.control_prefix, worksetId: record.workset_id, sentinels: new Set() };
    await pass.attempt('sentinels', record.workset_id, async () => judge(deps, pass, { ...folder, sentinels: await freshSentinels(deps, folder.bucket, folder.prefix) }, record));
  }
  return { ...(scanned ? {} : resumeAfter ? { scanAfter: resumeAfter } : {}), changedChecked };
}
