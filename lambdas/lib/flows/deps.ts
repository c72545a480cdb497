/**
 * What the flows need, by what a function's bundle may carry: `TableDeps` for functions without
 * control-bucket access (their bundles carry no S3 client and only the reading part of the
 * worksets adapter), `ControlBucketDeps` for the lifecycle's writers, `RegistrationDeps` for
 * registration, `SettleDeps` for the settle pass, `CustomerAdminDeps` for the operator routes that
 * manage customers, `EventDeps` for the stream consumer, `ReconcilerDeps` for the reconciler. The
 * wiring (lambdas/lib/wiring/) builds them.
 */
import type { ArchivePrefixSetting, ControlBucketSetting, UploadSetting } from '../config/settings.ts';
import type { PipelineCatalogue } from '../domain/pipeline-catalogue.ts';
import type { MetricsSink } from '../metrics.ts';
import type { ControlBucketStore, ControlObjectWrites } from '../ports/control-bucket.ts';
import type { CustomerAdmin, CustomerSettings } from '../ports/customers.ts';
import type { StagedSheetReads, UploadForms } from '../ports/staged-sheets.ts';
import type { EventBus, Mailer, NotificationLedger } from '../ports/state-change-delivery.ts';
import type { Registrations, StateChanges, WorksetLifecycle, WorksetQueries, WorksetReads, WorksetStore } from '../ports/worksets.ts';

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

/** Reading the sheet a request names by `samples_upload_id` (flows/registration/staged-sheet.ts). */
export interface StagedSheetDeps {
  readonly stagedSheets: StagedSheetReads;
  /** Where sheets are staged and how large one may be, or why uploads cannot be used. */
  readonly uploads: UploadSetting;
}

/** The upload route (flows/sheet-uploads.ts): a signed form, and nothing else. */
export interface UploadDeps {
  readonly forms: UploadForms;
  readonly uploads: UploadSetting;
  readonly now: () => Date;
  /** A fresh upload id (random, domain/sheet-upload.ts UPLOAD_ID_PATTERN). */
  readonly uploadId: () => string;
}

export interface RegistrationDeps extends StagedSheetDeps {
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

/** A registration's dry run (flows/registration/registration-preview.ts): no table; a staged sheet is read, never removed. */
export interface PreviewDeps extends Pick<RegistrationDeps, 'controlLocation' | 'now' | 'randomHex'>, StagedSheetDeps {
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

/**
 * The stream consumer (flows/events/): where events go and how emails are sent; either may be off
 * (undefined), which the wiring says once at start-up.
 */
export interface EventDeps {
  readonly worksets: Pick<WorksetQueries, 'getWorkset'>;
  readonly bus: EventBus | undefined;
  readonly notifications: { readonly mailer: Mailer; readonly ledger: NotificationLedger; readonly sender: string } | undefined;
  readonly now: () => Date;
  /** A fresh claim token (random). */
  readonly token: () => string;
}

/**
 * The reconciler (flows/reconciler/): the whole worksets store (it settles, recovers, syncs and
 * recounts), the control bucket, the folders it scans, and where its metrics go.
 */
export interface ReconcilerDeps extends ControlBucketDeps, SettleDeps {
  readonly worksets: WorksetStore;
  readonly controlBucket: ControlBucketStore;
  /** The bucket and control prefix whose folders are scanned (the monitor's). */
  readonly controlLocation: ControlBucketSetting;
  readonly metrics: MetricsSink;
  /** Pause before a counter's difference is confirmed by a second count (the state index lags its table). Default 2,000 ms. */
  readonly indexSettleMs?: number;
}
