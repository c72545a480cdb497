/**
 * Configuration, read in one place. Precedence for every setting: command-line flag (local server
 * only) > environment variable > default. Handlers read them through config/current.ts
 * (`settingsFromEnv()`, or `coreSettingsFromEnv()` where neither the archive prefix nor the lease
 * is needed); the local server resolves its flags with `resolveSettings()` and exports the result
 * as environment variables, so a handler runs the same under Lambda and locally.
 */

import { DEFAULT_UPLOAD_MAX_BYTES, MAX_UPLOAD_MAX_BYTES, UPLOAD_EXPIRY_SECONDS, UPLOAD_PREFIX } from '../domain/sheet-upload.ts';

export const CONFIG_DOCS = 'docs/configuration.md';
export const DEFAULT_CONTROL_PREFIX = 'daylily_monitoring/active_worksets/';
export const DEFAULT_ARCHIVE_PREFIX = 'daylily_monitoring/archived_worksets/';

export interface SettingFlags {
  controlBucket?: string;
  controlPrefix?: string;
  tableName?: string;
  customersTable?: string;
  idempotencyTable?: string;
  notificationsTable?: string;
  region?: string;
  /** Path of an operator's pipeline catalogue (JSON) replacing the built-in one. */
  pipelineCatalogue?: string;
}

/**
 * The environment variables this service reads (and the local server writes); the stream
 * consumer's delivery settings have theirs in delivery-settings.ts (DELIVERY_ENV).
 */
export const ENV = {
  controlBucket: 'DAYLILY_CONTROL_BUCKET',
  monitorBucket: 'DAYLILY_MONITOR_BUCKET',
  controlPrefix: 'DAYLILY_CONTROL_PREFIX',
  worksetTable: 'DAYLILY_WORKSET_TABLE',
  customerTable: 'DAYLILY_CUSTOMER_TABLE',
  idempotencyTable: 'DAYLILY_IDEMPOTENCY_TABLE',
  archivePrefix: 'DAYLILY_ARCHIVE_PREFIX',
  leaseSeconds: 'DAYLILY_LEASE_SECONDS',
  pipelineCatalogue: 'DAYLILY_PIPELINE_CATALOGUE',
  auth: 'DAYLILY_AUTH',
  authCustomerClaim: 'DAYLILY_AUTH_CUSTOMER_CLAIM',
  notificationTable: 'DAYLILY_NOTIFICATION_TABLE',
  uploadMaxBytes: 'DAYLILY_UPLOAD_MAX_BYTES',
  region: 'AWS_REGION',
} as const;

/**
 * How customer routes authorize. `required` unless DAYLILY_AUTH=off, which only the local server
 * sets (`--auth off`): a function without it refuses a customer route that carries no verified
 * principal. `customerClaim`: the claim an external issuer names the customer in (absent: the
 * token's `customer:<id>` groups name it).
 */
export interface AuthSettings {
  readonly required: boolean;
  readonly customerClaim?: string;
}

/** A lease's default duration (a request may ask for another, up to 12 h). */
export const DEFAULT_LEASE_SECONDS = 3600;
const MAX_LEASE_SECONDS = 12 * 3600;

/** Where the control bucket came from, for the start-up log. */
export type ControlBucketSource = '--control-bucket' | 'DAYLILY_CONTROL_BUCKET' | 'DAYLILY_MONITOR_BUCKET';

export type ControlBucketSetting =
  | { readonly ok: true; readonly bucket: string; readonly prefix: string; readonly source: ControlBucketSource }
  | { readonly ok: false; readonly problem: string };

export type ArchivePrefixSetting = { readonly ok: true; readonly prefix: string } | { readonly ok: false; readonly problem: string };

/** Where sample sheets are staged (the control bucket's upload prefix), how large one may be and how long a form lasts. */
export type UploadSetting =
  | { readonly ok: true; readonly bucket: string; readonly prefix: string; readonly maxBytes: number; readonly expiresSeconds: number }
  | { readonly ok: false; readonly problem: string };

export interface Settings {
  readonly controlBucket: ControlBucketSetting;
  readonly worksetTable: string;
  readonly customerTable: string;
  readonly idempotencyTable: string;
  /** The notification ledger (one item per event id mailed). */
  readonly notificationTable: string;
  /** Where archived control folders go (the monitor's `archive_prefix`). */
  readonly archivePrefix: ArchivePrefixSetting;
  /** Staged sample sheets (domain/sheet-upload.ts), or why uploads cannot be used. */
  readonly uploads: UploadSetting;
  readonly defaultLeaseSeconds: number;
  readonly auth: AuthSettings;
  readonly region: string;
  /** Path of the operator's pipeline catalogue; undefined: the built-in one (config/catalogue-file.ts). */
  readonly pipelineCatalogue: string | undefined;
  /**
   * Settings that were given but could not be used, each naming the variable and the fix. None
   * stops the service: an invalid lease falls back to its default, an invalid archive prefix
   * makes archive and restore answer 503. Logged at start-up and shown by the health route.
   */
  readonly warnings: readonly string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

export const nonEmpty = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

const MISSING_BUCKET =
  'No control bucket is configured for workset registration. Set DAYLILY_CONTROL_BUCKET ' +
  '(or DAYLILY_MONITOR_BUCKET, the bucket the cluster monitor polls), or start the local server ' +
  `with --control-bucket. See ${CONFIG_DOCS}.`;

// S3 bucket naming rules; a typo should fail at start-up with a clear message, not as an AWS
// error on the first registration.
const BUCKET_NAME_RULES: ReadonlyArray<[RegExp, boolean, string]> = [
  [/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, true, '3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit'],
  [/\.\.|\.-|-\./, false, 'no two dots in a row and no dot next to a hyphen'],
  [/^\d{1,3}(\.\d{1,3}){3}$/, false, 'not an IP address'],
  [/^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|--x-s3|--table-s3|\.mrap)$/, false, 'none of the prefixes and suffixes S3 reserves'],
];

/** Why S3 would refuse `name` as a bucket name, or undefined when it is valid. */
export function bucketNameProblem(name: string): string | undefined {
  const broken = BUCKET_NAME_RULES.find(([pattern, mustMatch]) => pattern.test(name) !== mustMatch);
  return broken?.[2];
}

/** Which setting a prefix came from, so a problem names what to fix. */
export interface PrefixSetting {
  readonly what: string;
  readonly fix: string;
  readonly example: string;
}
export const CONTROL_PREFIX_SETTING: PrefixSetting = { what: 'control prefix', fix: 'DAYLILY_CONTROL_PREFIX or --control-prefix', example: DEFAULT_CONTROL_PREFIX };
export const ARCHIVE_PREFIX_SETTING: PrefixSetting = { what: 'archive prefix', fix: 'DAYLILY_ARCHIVE_PREFIX', example: DEFAULT_ARCHIVE_PREFIX };

/**
 * Normalises a prefix to no leading `/` and exactly one trailing `/`. Returns an error message
 * for prefixes that would let a key escape or alias a folder: `..`, `.` or empty segments, or
 * control characters (which also make keys unreadable to the monitor); and for `*`, `?` and `$`,
 * which an IAM resource reads as wildcards or policy variables: the stack grants each function
 * `<bucket>/<prefix>*` only, and a wildcard in the prefix would widen that to other keys.
 */
export function normaliseControlPrefix(
  raw: string,
  setting: PrefixSetting = CONTROL_PREFIX_SETTING,
): { ok: true; prefix: string } | { ok: false; problem: string } {
  const stripped = raw.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u001f\u007f]/.test(raw)
    ? 'contains control characters'
    : raw.includes('..') || stripped.includes('//') || stripped.split('/').includes('.')
      ? 'contains "..", "." or "//"'
      : /[*?$]/.test(raw)
        ? 'contains "*", "?" or "$", which IAM policies read as wildcards or variables'
        : undefined;
  if (unsafe) {
    return {
      ok: false,
      problem: `The ${setting.what} ${JSON.stringify(raw)} ${unsafe}. Set ${setting.fix} to a plain S3 prefix such as ${setting.example}; see ${CONFIG_DOCS}.`,
    };
  }
  return { ok: true, prefix: stripped === '' ? '' : `${stripped}/` };
}

function resolveControlBucket(flags: SettingFlags, env: Env): ControlBucketSetting {
  const candidates: Array<[ControlBucketSource, string | undefined]> = [
    ['--control-bucket', nonEmpty(flags.controlBucket)],
    ['DAYLILY_CONTROL_BUCKET', nonEmpty(env[ENV.controlBucket])],
    ['DAYLILY_MONITOR_BUCKET', nonEmpty(env[ENV.monitorBucket])],
  ];
  const found = candidates.find(([, value]) => value !== undefined);
  if (!found) return { ok: false, problem: MISSING_BUCKET };
  const [source, rawBucket] = found as [ControlBucketSource, string];
  const bucket = rawBucket.replace(/^s3:\/\//, '').replace(/\/+$/, '');
  const invalid = bucketNameProblem(bucket);
  if (invalid) {
    return { ok: false, problem: `The control bucket "${rawBucket}" (from ${source}) is not a valid S3 bucket name (${invalid}). Fix DAYLILY_CONTROL_BUCKET, DAYLILY_MONITOR_BUCKET or --control-bucket; see ${CONFIG_DOCS}.` };
  }
  const prefix = normaliseControlPrefix(
    nonEmpty(flags.controlPrefix) ?? nonEmpty(env[ENV.controlPrefix]) ?? DEFAULT_CONTROL_PREFIX,
  );
  if (!prefix.ok) return { ok: false, problem: prefix.problem };
  return { ok: true, bucket, prefix: prefix.prefix, source };
}

function resolveArchivePrefix(env: Env, control: ControlBucketSetting): ArchivePrefixSetting {
  const archive = normaliseControlPrefix(nonEmpty(env[ENV.archivePrefix]) ?? DEFAULT_ARCHIVE_PREFIX, ARCHIVE_PREFIX_SETTING);
  if (!archive.ok || !control.ok) return archive;
  // The monitor lists the control prefix one level deep: nested prefixes would make the archive
  // (or the active folders) look like worksets.
  if (archive.prefix === '' || archive.prefix.startsWith(control.prefix) || control.prefix.startsWith(archive.prefix)) {
    return { ok: false, problem: `The archive prefix "${archive.prefix}" and the control prefix "${control.prefix}" must not contain one another. Set ${ENV.archivePrefix}; see ${CONFIG_DOCS}.` };
  }
  return archive;
}

/**
 * Uploads go to the control bucket under UPLOAD_PREFIX, which must stay outside the folders the
 * monitor lists (a control prefix of "" would list it). An invalid size cap falls back to the default.
 * The core settings check the control prefix only; the full settings the archive prefix too (the
 * stack refuses that clash at synth, and the local server at start-up, so no function meets it).
 */
function resolveUploads(env: Env, control: ControlBucketSetting, archive?: ArchivePrefixSetting): { setting: UploadSetting; problem?: string } {
  const raw = nonEmpty(env[ENV.uploadMaxBytes]);
  const value = Number(raw ?? DEFAULT_UPLOAD_MAX_BYTES);
  const valid = Number.isInteger(value) && value >= 1 && value <= MAX_UPLOAD_MAX_BYTES;
  const capProblem = valid ? undefined : `${ENV.uploadMaxBytes}=${JSON.stringify(raw)} is not a whole number of bytes from 1 to ${MAX_UPLOAD_MAX_BYTES}; the cap is ${DEFAULT_UPLOAD_MAX_BYTES}. See ${CONFIG_DOCS}.`;
  const overlaps = (prefix: string) => prefix.startsWith(UPLOAD_PREFIX) || UPLOAD_PREFIX.startsWith(prefix);
  const clash = control.ok && (overlaps(control.prefix) || (archive?.ok && overlaps(archive.prefix)))
    ? `The upload prefix "${UPLOAD_PREFIX}" and the control or archive prefix must not contain one another: sample sheets cannot be uploaded. See ${CONFIG_DOCS}.`
    : undefined;
  const problem = [capProblem, clash].filter(Boolean).join(' ') || undefined;
  const setting: UploadSetting = !control.ok
    ? { ok: false, problem: control.problem }
    : clash
      ? { ok: false, problem: clash }
      : { ok: true, bucket: control.bucket, prefix: UPLOAD_PREFIX, maxBytes: valid ? value : DEFAULT_UPLOAD_MAX_BYTES, expiresSeconds: UPLOAD_EXPIRY_SECONDS };
  return { setting, ...(problem ? { problem } : {}) };
}

function resolveLeaseSeconds(env: Env): { seconds: number; problem?: string } {
  const raw = nonEmpty(env[ENV.leaseSeconds]);
  if (raw === undefined) return { seconds: DEFAULT_LEASE_SECONDS };
  const value = Number(raw);
  if (Number.isInteger(value) && value >= 1 && value <= MAX_LEASE_SECONDS) return { seconds: value };
  return {
    seconds: DEFAULT_LEASE_SECONDS,
    problem: `${ENV.leaseSeconds}=${JSON.stringify(raw)} is not a whole number of seconds from 1 to ${MAX_LEASE_SECONDS}; leases default to ${DEFAULT_LEASE_SECONDS} s. See ${CONFIG_DOCS}.`,
  };
}

/**
 * What every function reads: the control bucket, tables, region, auth and catalogue. None of it
 * warns, and none of the archive prefix's and the lease's checks come with it, so a function that
 * uses neither (registration, the customer routes) carries neither.
 */
export type CoreSettings = Omit<Settings, 'archivePrefix' | 'defaultLeaseSeconds' | 'warnings'>;

export function resolveCoreSettings(flags: SettingFlags, env: Env): CoreSettings {
  const controlBucket = resolveControlBucket(flags, env);
  return {
    auth: { required: nonEmpty(env[ENV.auth])?.toLowerCase() !== 'off', customerClaim: nonEmpty(env[ENV.authCustomerClaim]) },
    controlBucket,
    uploads: resolveUploads(env, controlBucket).setting,
    worksetTable: nonEmpty(flags.tableName) ?? nonEmpty(env[ENV.worksetTable]) ?? 'daylily-worksets',
    customerTable: nonEmpty(flags.customersTable) ?? nonEmpty(env[ENV.customerTable]) ?? 'daylily-customers',
    idempotencyTable:
      nonEmpty(flags.idempotencyTable) ?? nonEmpty(env[ENV.idempotencyTable]) ?? 'daylily-idempotency',
    notificationTable: nonEmpty(flags.notificationsTable) ?? nonEmpty(env[ENV.notificationTable]) ?? 'daylily-notifications',
    region: nonEmpty(flags.region) ?? nonEmpty(env[ENV.region]) ?? 'us-west-2',
    pipelineCatalogue: nonEmpty(flags.pipelineCatalogue) ?? nonEmpty(env[ENV.pipelineCatalogue]),
  };
}

export function resolveSettings(flags: SettingFlags, env: Env): Settings {
  const { auth, ...core } = resolveCoreSettings(flags, env);
  const archivePrefix = resolveArchivePrefix(env, core.controlBucket);
  const lease = resolveLeaseSeconds(env);
  const uploads = resolveUploads(env, core.controlBucket, archivePrefix);
  return {
    auth,
    archivePrefix,
    defaultLeaseSeconds: lease.seconds,
    warnings: [...(archivePrefix.ok ? [] : [archivePrefix.problem]), ...(lease.problem ? [lease.problem] : []), ...(uploads.problem ? [uploads.problem] : [])],
    ...core,
    uploads: uploads.setting,
  };
}

/** Physical table names by logical table (stores/tables.ts names them). */
export function tableNames(
  settings: Pick<CoreSettings, 'worksetTable' | 'customerTable' | 'idempotencyTable' | 'notificationTable'>,
): { worksets: string; customers: string; idempotency: string; notifications: string } {
  return { worksets: settings.worksetTable, customers: settings.customerTable, idempotency: settings.idempotencyTable, notifications: settings.notificationTable };
}

/** The settings of a running function: environment only (the stack sets it). */
export function settingsFromEnv(env: Env = process.env): Settings {
  return resolveSettings({}, env);
}

/** The core settings of a running function (`CoreSettings`), from the environment only. */
export function coreSettingsFromEnv(env: Env = process.env): CoreSettings {
  return resolveCoreSettings({}, env);
}

/**
 * The environment that makes `settingsFromEnv()` see what `resolveSettings(flags, env)` saw: each
 * given flag overrides its variable. The local server applies it before loading handlers, so a
 * handler resolves (and reports a misconfiguration) exactly as the server did at start-up.
 */
export function flagsToEnv(flags: SettingFlags): Record<string, string> {
  const pairs: Array<[string, string | undefined]> = [
    [ENV.controlBucket, flags.controlBucket],
    [ENV.controlPrefix, flags.controlPrefix],
    [ENV.worksetTable, flags.tableName],
    [ENV.customerTable, flags.customersTable],
    [ENV.idempotencyTable, flags.idempotencyTable],
    [ENV.notificationTable, flags.notificationsTable],
    [ENV.region, flags.region],
    [ENV.pipelineCatalogue, flags.pipelineCatalogue],
  ];
  return Object.fromEntries(pairs.filter((pair): pair is [string, string] => nonEmpty(pair[1]) !== undefined));
}
