/** What the lifecycle flows need: the stores, where archives go, the clock. */
import type { Settings } from '../../config/settings.ts';
import type { ControlBucketStore, LifecycleStore } from '../../stores/ports.ts';

/** What the flows that never touch the control bucket need (their functions bundle no S3 client). */
export interface LifecycleReadDeps {
  readonly store: LifecycleStore;
  readonly defaultLeaseSeconds: number;
  readonly now: () => Date;
}

export interface LifecycleDeps extends LifecycleReadDeps {
  readonly folders: ControlBucketStore;
  readonly archivePrefix: Settings['archivePrefix'];
  /** Attempts per sentinel plan before the record is flagged for repair (default 3). */
  readonly sentinelAttempts?: number;
  /** Pause between sentinel attempts, ms (default 50, doubling). */
  readonly sentinelBackoffMs?: number;
}
