/**
 * What the flows need, by what a function's bundle may carry: `TableDeps` for functions without
 * control-bucket access (their bundles carry no S3 client and only the reading part of the
 * worksets adapter), `ControlBucketDeps` for the lifecycle's writers, `RegistrationDeps` for
 * registration, `CustomerAdminDeps` for the operator routes that manage customers. The wiring
 * (lambdas/lib/wiring/) builds them.
 */
import type { ArchivePrefixSetting, ControlBucketSetting } from '../config/settings.ts';
import type { ControlBucketStore } from '../ports/control-bucket.ts';
import type { CustomerAdmin, CustomerSettings } from '../ports/customers.ts';
import type { Registrations, WorksetLifecycle, WorksetReads } from '../ports/worksets.ts';

export interface TableDeps {
  readonly worksets: WorksetReads;
  /** The lease a worker gets when it does not ask for a duration. */
  readonly defaultLeaseSeconds: number;
  readonly now: () => Date;
}

export interface ControlBucketDeps extends TableDeps {
  readonly worksets: WorksetLifecycle;
  readonly controlBucket: ControlBucketStore;
  /** The settings a change that takes a slot (retry, restore, back to ready) is decided on. */
  readonly customers: CustomerSettings;
  /** Where archived control folders go (the monitor's `archive_prefix`), or why they cannot. */
  readonly archivePrefix: ArchivePrefixSetting;
  /** Attempts per sentinel plan before the record is flagged for repair (default 3). */
  readonly sentinelAttempts?: number;
  /** Pause between sentinel attempts, ms (default 50, doubling). */
  readonly sentinelBackoffMs?: number;
}

export interface RegistrationDeps {
  readonly worksets: Registrations;
  /** The settings (quotas, data locations) a registration is decided on. */
  readonly customers: CustomerSettings;
  readonly controlBucket: ControlBucketStore;
  /** Where registration creates control folders (bucket and control prefix), or why it cannot. */
  readonly controlLocation: ControlBucketSetting;
  readonly now: () => Date;
  /** 8 lowercase hex characters (a new workset id's suffix). */
  readonly randomHex: () => string;
}

export interface CustomerAdminDeps {
  readonly customers: CustomerAdmin;
  /** The control bucket (no customer's data may live there), when configured. */
  readonly controlBucket?: string;
  readonly now: () => Date;
  /** 8 lowercase hex characters (a new customer id's suffix). */
  readonly randomHex: () => string;
}
