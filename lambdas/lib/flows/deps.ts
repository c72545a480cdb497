/**
 * What the flows need, by what a function's bundle may carry: `TableDeps` for functions without
 * control-bucket access (their bundles carry no S3 client and only the reading part of the
 * worksets adapter), `ControlBucketDeps` for the lifecycle's writers, `RegistrationDeps` for
 * registration, `SettleDeps` for the settle pass, `CustomerAdminDeps` for the operator routes that
 * manage customers. The wiring (lambdas/lib/wiring/) builds them.
 */
import type { ArchivePrefixSetting, ControlBucketSetting } from '../config/settings.ts';
import type { PipelineCatalogue } from '../domain/pipeline-catalogue.ts';
import type { ControlBucketStore, ControlObjectWrites } from '../ports/control-bucket.ts';
import type { CustomerAdmin, CustomerSettings } from '../ports/customers.ts';
import type { Registrations, StateChanges, WorksetLifecycle, WorksetQueries, WorksetReads } from '../ports/worksets.ts';

export interface TableDeps {
  readonly worksets: WorksetReads;
  /** The lease a worker gets when it does not ask for a duration. */
  readonly defaultLeaseSeconds: number;
  readonly now: () => Date;
}

export interface ControlBucketDeps extends TableDeps, SentinelSyncDeps {
  readonly worksets: WorksetLifecycle;
  readonly controlBucket: ControlBucketStore;
  /** The settings a change that takes a slot (retry, restore, back to ready) is decided on. */
  readonly customers: CustomerSettings;
  /** Where archived control folders go (the monitor's `archive_prefix`), or why they cannot. */
  readonly archivePrefix: ArchivePrefixSetting;
}

export interface RegistrationDeps {
  readonly worksets: Registrations;
  /** The settings (quotas, data locations) a registration is decided on. */
  readonly customers: CustomerSettings;
  readonly controlBucket: ControlObjectWrites;
  /** Where registration creates control folders (bucket and control prefix), or why it cannot. */
  readonly controlLocation: ControlBucketSetting;
  readonly now: () => Date;
  /** 8 lowercase hex characters (a new workset id's suffix). */
  readonly randomHex: () => string;
  /** First pause between read-backs of a record whose flip's outcome is unknown, ms (default 100, doubling). */
  readonly readBackoffMs?: number;
}

/** A registration's dry run (flows/registration/registration-preview.ts): no store at all. */
export interface PreviewDeps extends Pick<RegistrationDeps, 'controlLocation' | 'now' | 'randomHex'> {
  readonly catalogue: PipelineCatalogue;
}

/** What a sentinel sync uses (flows/lifecycle/sentinel-sync.ts): the lifecycle's writers and the settle pass have it. */
export interface SentinelSyncDeps {
  readonly worksets: Pick<WorksetQueries, 'getWorkset'> & Pick<StateChanges, 'markSentinels'>;
  readonly controlBucket: ControlObjectWrites;
  readonly now: () => Date;
  /** Attempts per sentinel plan before the record is flagged for repair (default 3). */
  readonly sentinelAttempts?: number;
  /** Pause between sentinel attempts, ms (default 50, doubling). */
  readonly sentinelBackoffMs?: number;
}

/**
 * The settle pass (flows/registration/settle-registration.ts): registration's conditional writes,
 * the listing of `registering` records, and the sentinel sync that repairs a `ready` one's folder.
 */
export interface SettleDeps extends SentinelSyncDeps {
  readonly worksets: Registrations & Pick<WorksetQueries, 'listWorksets'> & Pick<StateChanges, 'markSentinels'>;
  readonly controlBucket: ControlBucketStore;
}

export interface CustomerAdminDeps {
  readonly customers: CustomerAdmin;
  /** The control bucket (no customer's data may live there), when configured. */
  readonly controlBucket?: string;
  readonly now: () => Date;
  /** 8 lowercase hex characters (a new customer id's suffix). */
  readonly randomHex: () => string;
}
