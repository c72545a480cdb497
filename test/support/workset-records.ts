/**
 * The workset records the test fixtures seed: one builder for the in-memory world, the emulator
 * fixtures and the store contract, so a field added to the record is added to every seed at once.
 */
import { DEFAULT_ARCHIVE_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { sentinelOf } from '../../lambdas/lib/domain/sentinel-rules.ts';
import { SENTINELS } from '../../lambdas/lib/domain/sentinels.ts';
import { queueOrder, type Priority, type WorksetRecord, type WorksetState } from '../../lambdas/lib/domain/workset.ts';

export interface SeedOptions {
  readonly state?: WorksetState;
  readonly priority?: Priority;
  readonly customerId?: string;
  readonly createdAt?: string;
  readonly worksetId?: string;
  /** Files of the control folder besides its sentinels (default: the registration files; false: no folder). */
  readonly files?: readonly string[] | false;
  readonly extra?: Partial<WorksetRecord> & Record<string, unknown>;
}

/** What registration writes into a folder besides the sentinels. */
export const REGISTRATION_FILES = ['daylily_work.yaml', 'daylily_info.yaml', 'stage_samples.tsv', 'sample_data/.keep'] as const;

/** Where the seeded workset lives: its bucket, the control prefix, and the id and time when the options name none. */
export interface SeedPlace {
  readonly bucket: string;
  readonly controlPrefix: string;
  readonly worksetId: string;
  readonly now: string;
}

/**
 * A workset as the lifecycle finds it after registration (version 1, one history entry); an
 * archived one sits under the archive prefix and remembers where it came from.
 */
export function seededRecord(options: SeedOptions, place: SeedPlace): WorksetRecord {
  const state = options.state ?? 'ready';
  const priority = options.priority ?? 'normal';
  const createdAt = options.createdAt ?? place.now;
  const worksetId = options.worksetId ?? place.worksetId;
  const active = `${place.controlPrefix}${worksetId}/`;
  const folder = state === 'archived' ? `${DEFAULT_ARCHIVE_PREFIX}${worksetId}/` : active;
  return {
    workset_id: worksetId,
    customer_id: options.customerId ?? 'lab-1',
    workset_name: worksetId,
    state,
    priority,
    queue_order: queueOrder(priority, createdAt),
    pipeline_type: 'snv',
    reference_genome: 'GRCh38',
    sample_count: 1,
    control_bucket: place.bucket,
    control_prefix: folder,
    export_uri: `s3://${place.bucket}/${folder}results/`,
    enable_qc: true,
    archive_results: true,
    created_at: createdAt,
    updated_at: createdAt,
    version: 1,
    state_history: [{ from: null, to: state, reason: 'seeded', actor: 'test', at: createdAt }],
    ...(state === 'archived' ? { archived_from: 'complete' as const, active_prefix: active } : {}),
    ...options.extra,
  } as WorksetRecord;
}

/** The names a seeded workset's folder holds: the registration files (or the options' own), its state sentinel, its lock. */
export function seededFiles(options: SeedOptions, record: WorksetRecord): string[] {
  if (options.files === false) return [];
  const sentinel = sentinelOf(record);
  return [...(options.files ?? REGISTRATION_FILES), ...(sentinel ? [sentinel] : []), ...(record.lock_owner ? [SENTINELS.lock] : [])];
}
