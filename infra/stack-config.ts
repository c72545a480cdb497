/**
 * The stack's settings, read from CDK context (`-c key=value` or cdk.json) in one place, with the
 * defaults that docs/deploy.md documents. Prefix and bucket names are checked with the library's
 * own rules, so the stack can never hand a function a value the function would reject.
 */
import {
  ARCHIVE_PREFIX_SETTING,
  bucketNameProblem,
  CONTROL_PREFIX_SETTING,
  DEFAULT_ARCHIVE_PREFIX,
  DEFAULT_CONTROL_PREFIX,
  normaliseControlPrefix,
  type PrefixSetting,
} from '../lambdas/lib/config/settings.ts';
import { isSenderAddress } from '../lambdas/lib/config/delivery-settings.ts';

export interface StackConfig {
  readonly stackName: string;
  /** Test stacks: tables, buckets and log groups are destroyed with the stack. */
  readonly ephemeral: boolean;
  /** Name of an existing control bucket to import; undefined = the stack creates one. */
  readonly controlBucketName: string | undefined;
  /** Normalised: no leading `/`, one trailing `/` (the monitor's `monitor.prefix`). */
  readonly controlPrefix: string;
  /** Normalised like the control prefix (the monitor's `archive_prefix`). */
  readonly archivePrefix: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /**
   * The From address of notification emails (an SES-verified address, or an address of a verified
   * domain); undefined = no email is sent, and no function may send any.
   */
  readonly notificationSender: string | undefined;
}

/** Context keys and their defaults: the table in docs/deploy.md lists the same. */
export const CONTEXT_DEFAULTS = {
  stackName: 'DaylilyWorksetApi',
  ephemeral: false,
  controlBucketName: undefined,
  controlPrefix: DEFAULT_CONTROL_PREFIX,
  archivePrefix: DEFAULT_ARCHIVE_PREFIX,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  notificationSender: undefined,
} as const;

export type ContextKey = keyof typeof CONTEXT_DEFAULTS;

/** Thrown for a context value the stack cannot use; `cdk synth` prints the message and stops. */
export class InvalidContextError extends Error {
  constructor(
    readonly key: ContextKey,
    message: string,
  ) {
    super(`Context "${key}": ${message}`);
    this.name = 'InvalidContextError';
  }
}

type ReadContext = (key: ContextKey) => unknown;

// `-c key=value` always arrives as a string; cdk.json may hold real booleans and numbers.
const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
};

function flag(read: ReadContext, key: 'ephemeral'): boolean {
  const value = text(read(key))?.toLowerCase();
  if (value === undefined) return CONTEXT_DEFAULTS[key];
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidContextError(key, `expected true or false, got "${String(read(key))}".`);
}

function positiveInteger(read: ReadContext, key: 'throttleRateLimit' | 'throttleBurstLimit'): number {
  const value = text(read(key));
  if (value === undefined) return CONTEXT_DEFAULTS[key];
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidContextError(key, `expected a positive whole number, got "${value}".`);
  }
  return parsed;
}

/** The library's prefix rules, with problems that name the context key to fix. */
const PREFIX_SETTINGS: Readonly<Record<'controlPrefix' | 'archivePrefix', PrefixSetting>> = {
  controlPrefix: { ...CONTROL_PREFIX_SETTING, fix: '-c controlPrefix' },
  archivePrefix: { ...ARCHIVE_PREFIX_SETTING, fix: '-c archivePrefix' },
};

function prefix(read: ReadContext, key: 'controlPrefix' | 'archivePrefix'): string {
  const raw = text(read(key)) ?? CONTEXT_DEFAULTS[key];
  const normalised = normaliseControlPrefix(raw, PREFIX_SETTINGS[key]);
  if (!normalised.ok) throw new InvalidContextError(key, normalised.problem);
  // An empty prefix would hand every function the whole bucket and put worksets at its root,
  // where the monitor's listing sees the archive and its own index files as worksets.
  if (normalised.prefix === '') throw new InvalidContextError(key, 'must not be empty (the bucket root).');
  return normalised.prefix;
}

function bucketName(read: ReadContext): string | undefined {
  const raw = text(read('controlBucketName'));
  if (raw === undefined) return undefined;
  // Accepted like DAYLILY_CONTROL_BUCKET: a bare name or `s3://name/`.
  const name = raw.replace(/^s3:\/\//, '').replace(/\/+$/, '');
  const problem = bucketNameProblem(name);
  if (problem) throw new InvalidContextError('controlBucketName', `"${raw}" is not a valid S3 bucket name (${problem}).`);
  return name;
}

function sender(read: ReadContext): string | undefined {
  const address = text(read('notificationSender'));
  if (address === undefined) return undefined;
  // The IAM grant names it: no wildcard may slip in, no display name either (SES's FromAddress key is the bare address).
  if (!isSenderAddress(address)) throw new InvalidContextError('notificationSender', `"${address}" is not a plain email address (local@domain, no display name).`);
  return address;
}

// CloudFormation's rule for stack names.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

function stackName(read: ReadContext): string {
  const name = text(read('stackName')) ?? CONTEXT_DEFAULTS.stackName;
  if (!STACK_NAME.test(name)) {
    throw new InvalidContextError('stackName', `"${name}" is not a CloudFormation stack name (a letter, then up to 127 letters, digits and hyphens).`);
  }
  return name;
}

/** Reads and checks every setting; `read` is usually `(key) => app.node.tryGetContext(key)`. */
export function stackConfigFromContext(read: ReadContext): StackConfig {
  const config: StackConfig = {
    stackName: stackName(read),
    ephemeral: flag(read, 'ephemeral'),
    controlBucketName: bucketName(read),
    controlPrefix: prefix(read, 'controlPrefix'),
    archivePrefix: prefix(read, 'archivePrefix'),
    throttleRateLimit: positiveInteger(read, 'throttleRateLimit'),
    throttleBurstLimit: positiveInteger(read, 'throttleBurstLimit'),
    notificationSender: sender(read),
  };
  if (config.controlPrefix.startsWith(config.archivePrefix) || config.archivePrefix.startsWith(config.controlPrefix)) {
    // The monitor lists the control prefix one level deep: an archive inside it would be
    // re-discovered as active worksets, and grants on one prefix would reach the other.
    throw new InvalidContextError(
      'archivePrefix',
      `"${config.archivePrefix}" and the control prefix "${config.controlPrefix}" must not contain one another.`,
    );
  }
  return config;
}
