/** What the lifecycle flows need: the stores, where archives go, the clock. */
import type { Settings } from '../../config/settings.ts';
import type { ControlBucketStore, LifecycleStore } from '../../stores/ports.ts';

export interface LifecycleDeps {
  readonly store: LifecycleStore;
  readonly folders: ControlBucketStore;
  readonly archivePrefix: Settings['archivePrefix'];
  readonly defaultLeaseSeconds: number;
  readonly now: () => Date;
  /** Attempts per sentinel plan before the record is flagged for repair (default 3). */
  readonly sentinelAttempts?: number;
  /** Pause between sentinel attempts, ms (default 50, doubling). */
  readonly sentinelBackoffMs?: number;
}
