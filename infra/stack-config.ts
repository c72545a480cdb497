/**
 * The stack's settings, read from CDK context (`-c key=value` or cdk.json) in one place, with the
 * defaults that docs/deploy.md documents. Prefix and bucket names are checked with the library's
 * own rules, so the stack can never hand a function a value the function would reject.
 */
import path from 'node:path';
import { loadPipelineCatalogue } from '../lambdas/lib/config/catalogue-file.ts';
import { DEFAULT_RESOURCE_SERVER } from './entry-points.ts';
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
import { UPLOAD_PREFIX } from '../lambdas/lib/domain/sheet-upload.ts';

/**
 * Who signs the bearer tokens of the customer routes: the stack's own Cognito user pool (the
 * default), or an external OIDC issuer the operator names.
 */
export type SignIn =
  | {
      readonly kind: 'cognito';
      /** The hosted UI's (and token endpoint's) domain prefix: `<prefix>.auth.<region>.amazoncognito.com`; undefined: `<stack name>-<account id>`. */
      readonly domainPrefix: string | undefined;
      /** Where the hosted UI may send a signed-in user back to (the user app client's callback URLs). */
      readonly callbackUrls: readonly string[];
      /** One app client with the client-credentials grant per name (a lab's LIMS). */
      readonly machineClients: readonly string[];
    }
  | {
      readonly kind: 'oidc';
      /** The `iss` of its tokens (https). */
      readonly issuer: string;
      /** Values its tokens' `aud` or `client_id` must hold one of. */
      readonly audience: readonly string[];
      /** The claim naming the token's customer; undefined: `customer:<id>` groups name it. */
      readonly customerClaim: string | undefined;
    };

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
   * An operator's pipeline catalogue (absolute path), checked here: the functions that read the
   * catalogue get the file in their bundle. Undefined: the built-in catalogue.
   */
  readonly pipelineCatalogue: string | undefined;
  readonly signIn: SignIn;
  /** The scopes' resource server: routes require `<it>/read` or `<it>/write`. */
  readonly resourceServer: string;
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
  pipelineCatalogue: undefined,
  authIssuer: undefined,
  authAudience: undefined,
  authCustomerClaim: undefined,
  authResourceServer: DEFAULT_RESOURCE_SERVER,
  authDomainPrefix: undefined,
  authCallbackUrls: 'http://localhost:8400/callback',
  machineClients: 'lims',
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

/** The operator's catalogue, checked like the local server checks it at start-up: every problem stops the synth. */
function pipelineCatalogue(read: ReadContext): string | undefined {
  const raw = text(read('pipelineCatalogue'));
  if (raw === undefined) return undefined;
  const file = path.resolve(raw);
  const loaded = loadPipelineCatalogue(file);
  if (!loaded.ok) throw new InvalidContextError('pipelineCatalogue', loaded.problem);
  return file;
}

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');

function httpsUrl(key: ContextKey, value: string, options: { localhost?: boolean } = {}): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidContextError(key, `"${value}" is not a URL.`);
  }
  const local = options.localhost && url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname);
  if (url.protocol !== 'https:' && !local) throw new InvalidContextError(key, `"${value}" must be an https:// URL${options.localhost ? ' (or http://localhost)' : ''}.`);
  return value;
}

/** The sign-in: an external issuer when `authIssuer` is given (then `authAudience` too), else the stack's user pool. */
function signIn(read: ReadContext): SignIn {
  const issuer = text(read('authIssuer'));
  const cognitoOnly: ContextKey[] = ['authDomainPrefix'];
  if (issuer !== undefined) {
    const given = cognitoOnly.find((key) => text(read(key)) !== undefined);
    if (given) throw new InvalidContextError(given, 'applies only to the stack\'s own user pool, not with authIssuer.');
    const audience = list(text(read('authAudience')));
    if (audience.length === 0) throw new InvalidContextError('authAudience', 'is required with authIssuer: the client ids or audiences its tokens carry (comma-separated).');
    const customerClaim = text(read('authCustomerClaim'));
    return { kind: 'oidc', issuer: httpsUrl('authIssuer', issuer.replace(/\/+$/, '')), audience, customerClaim };
  }
  for (const key of ['authAudience', 'authCustomerClaim'] as const) {
    if (text(read(key)) !== undefined) throw new InvalidContextError(key, 'applies only with authIssuer (an external OIDC issuer).');
  }
  const domainPrefix = text(read('authDomainPrefix'));
  if (domainPrefix !== undefined && (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix) || /aws|amazon|cognito/.test(domainPrefix))) {
    throw new InvalidContextError('authDomainPrefix', `"${domainPrefix}" must be 1-63 lowercase letters, digits and hyphens, and contain none of aws, amazon, cognito.`);
  }
  const callbackUrls = list(text(read('authCallbackUrls')) ?? CONTEXT_DEFAULTS.authCallbackUrls).map((url) => httpsUrl('authCallbackUrls', url, { localhost: true }));
  // Given but empty (`-c machineClients=`): none.
  const rawClients = read('machineClients');
  const machineClients = list(rawClients === undefined || rawClients === null ? CONTEXT_DEFAULTS.machineClients : String(rawClients));
  const badClient = machineClients.find((name) => !/^[a-z][a-z0-9-]{0,39}$/.test(name));
  if (badClient !== undefined) throw new InvalidContextError('machineClients', `"${badClient}" must be a lowercase letter, then up to 39 lowercase letters, digits and hyphens.`);
  if (new Set(machineClients).size !== machineClients.length) throw new InvalidContextError('machineClients', 'names a client twice.');
  return { kind: 'cognito', domainPrefix, callbackUrls, machineClients };
}

function resourceServer(read: ReadContext): string {
  const value = text(read('authResourceServer')) ?? CONTEXT_DEFAULTS.authResourceServer;
  if (!/^[\w.:/-]{1,256}$/.test(value) || value.endsWith('/')) throw new InvalidContextError('authResourceServer', `"${value}" must be letters, digits and _ . : / - (not ending in /).`);
  return value;
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
    pipelineCatalogue: pipelineCatalogue(read),
    signIn: signIn(read),
    resourceServer: resourceServer(read),
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
  // Staged sheets have their own prefix, lifecycle rule and grants (domain/sheet-upload.ts).
  for (const key of ['controlPrefix', 'archivePrefix'] as const) {
    if (config[key].startsWith(UPLOAD_PREFIX) || UPLOAD_PREFIX.startsWith(config[key])) {
      throw new InvalidContextError(key, `"${config[key]}" and the upload prefix "${UPLOAD_PREFIX}" (staged sample sheets) must not contain one another.`);
    }
  }
  return config;
}
