/**
 * `daylily-workset-api` (npm start): the API on this machine, serving the very handler files the
 * stack deploys.
 *
 * Backends, first that applies:
 *   1. AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_S3 set → those endpoints;
 *   2. --aws → real AWS (credentials and region from the usual AWS configuration);
 *   3. otherwise embedded emulators: DynamoDB Local and s3rver keeping their data under --data-dir.
 *
 * Flags become environment variables (flagsToEnv) before any handler module is loaded, so handlers
 * resolve exactly the configuration this start-up resolved. Modules that construct the logger are
 * imported only after --verbose has set its level.
 *
 * Authorization (`--auth`): `off` on the emulators by default (the customer routes then act for the
 * path's customer without a token, and the handlers are told so with DAYLILY_AUTH=off), `jwt`
 * with --aws by default (tokens of the local development issuer, verified as API Gateway would;
 * local-issuer.ts). `customers …` and `token …` are the operator's commands (admin-cli.ts).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { currentSettings } from '../../lambdas/lib/config/current.ts';
import { loadPipelineCatalogue } from '../../lambdas/lib/config/catalogue-file.ts';
import { DELIVERY_ENV } from '../../lambdas/lib/config/delivery-settings.ts';
import { flagsToEnv, ENV, CONFIG_DOCS, resolveSettings, tableNames, type SettingFlags, type Settings } from '../../lambdas/lib/config/settings.ts';
import type { RunningEmulator } from './emulators.ts';

export const DEFAULT_DATA_DIR = '.daylily-local';
export const EMBEDDED_CONTROL_BUCKET = 'daylily-control-local';

/**
 * Seeded into the embedded customers table (only when missing) so a fresh checkout can register:
 * `test-customer` for the README's curl, `acme-genomics` for the sample events in events/. Room
 * for a developer's many test registrations (nothing runs them locally, so they stay ready), and
 * data locations the sample requests name.
 */
export const DEMO_CUSTOMERS = [
  { customer_id: 'test-customer', customer_name: 'Test Customer', email: 'test@example.com', data_locations: ['s3://test-customer-data/'] },
  { customer_id: 'acme-genomics', customer_name: 'Acme Genomics', email: 'lims-admin@acme-genomics.example', data_locations: ['s3://acme-genomics-data/'] },
] as const;
export const DEMO_CUSTOMER = DEMO_CUSTOMERS[0];
const DEMO_SETTINGS = { max_active_worksets: 100, max_samples_per_workset: 100_000, billing_tags: {}, suspended: false, machine_clients: [] } as const;

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_S3'] as const;

export const USAGE = `Usage: daylily-workset-api [options]   (npm start -- [options])
       daylily-workset-api settle [--older-than DURATION] [--dry-run] [--json] [backend options]
       daylily-workset-api reconcile [--once] [--dry-run] [--full-recount] [--json] [backend options]
       daylily-workset-api events tail [--lines N] [--follow] [--json] [--data-dir DIR]

Runs the Daylily workset API locally, serving the same handler files as the deployed stack, with
its stream consumer (events to DATA-DIR/events/, mail to DATA-DIR/mail/) and its reconciler.
\`settle\` runs one settle pass instead (registrations that never finished; see docs/lifecycle.md):
  --older-than DURATION    settle records older than this (e.g. 90s, 10m, 2h; default 5m)
  --dry-run                print what it would do, do nothing
  --json                   print the summary as JSON
\`reconcile\` runs reconciler passes (every 5 minutes until stopped; see docs/lifecycle.md):
  --once                   one pass, then exit
  --dry-run                report the drift, repair nothing
  --full-recount           recount every state's counter, not only the active ones and one other
\`events tail\` prints the state-change events the local server published (docs/events.md):
  --lines N                the last N (default 20)
  --follow                 keep printing new ones as they come

Backend (first that applies):
  AWS_ENDPOINT_URL[_DYNAMODB|_S3] set   use those endpoints
  --aws                                 use real AWS (no emulators)
  (default)                             embedded DynamoDB Local + s3rver, data kept in --data-dir

Options:
  --control-bucket NAME    control bucket (else DAYLILY_CONTROL_BUCKET, DAYLILY_MONITOR_BUCKET;
                           embedded default: ${EMBEDDED_CONTROL_BUCKET})
  --control-prefix PREFIX  control prefix (else DAYLILY_CONTROL_PREFIX)
  --table-name NAME        worksets table (else DAYLILY_WORKSET_TABLE)
  --customers-table NAME   customers table (else DAYLILY_CUSTOMER_TABLE)
  --idempotency-table NAME idempotency records (else DAYLILY_IDEMPOTENCY_TABLE)
  --notifications-table NAME  the notification ledger (else DAYLILY_NOTIFICATION_TABLE)
  --region REGION          AWS region (else AWS_REGION)
  --profile NAME           AWS profile (sets AWS_PROFILE; not used by the embedded emulators)
  --pipeline-catalogue FILE
                           an operator's pipeline catalogue (JSON) replacing the built-in one (else
                           DAYLILY_PIPELINE_CATALOGUE); checked at start-up, see docs/pipelines.md
  --host HOST              listen address (default 127.0.0.1)
  --port PORT              listen port (default 8001)
  --create-table           create missing tables with their indexes, and the streams stream
                           entries read (always done when embedded)
  --aws                    use real AWS instead of the embedded emulators
  --data-dir DIR           embedded emulators' data, and the local issuer's keys (default ${DEFAULT_DATA_DIR}/)
  --auth off|jwt           customer routes: off = no token needed (default on the emulators);
                           jwt = tokens of the local issuer, verified (default with --aws)
  --verbose                debug logging (LOG_LEVEL=DEBUG)
  --help                   show this help

Commands:
  customers add|list|show|update …   onboard and manage customers (customers --help)
  token --customer ID …               an access token of the local issuer (token --help)

See ${CONFIG_DOCS} for every setting and docs/auth.md for sign-in.
`;

/** The flags that choose the backend and its settings: the server's and the settle command's. */
export const BACKEND_OPTIONS = {
  'control-bucket': { type: 'string' },
  'control-prefix': { type: 'string' },
  'table-name': { type: 'string' },
  'customers-table': { type: 'string' },
  'idempotency-table': { type: 'string' },
  'notifications-table': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  verbose: { type: 'boolean', default: false },
  'create-table': { type: 'boolean', default: false },
  aws: { type: 'boolean', default: false },
  'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
  auth: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

const OPTIONS = {
  ...BACKEND_OPTIONS,
  'pipeline-catalogue': { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8001' },
} as const;

export type AuthMode = 'off' | 'jwt';

export type Backend = 'embedded' | 'endpoints' | 'aws';

/** What chooses and configures the backend (the server's and the settle command's flags). */
export interface BackendOptions {
  readonly flags: SettingFlags;
  readonly profile: string | undefined;
  readonly verbose: boolean;
  readonly createTable: boolean;
  readonly aws: boolean;
  readonly dataDir: string;
  /** Undefined: the backend's default (chooseAuth). */
  readonly auth: AuthMode | undefined;
  readonly help: boolean;
}

export interface CliOptions extends BackendOptions {
  readonly host: string;
  readonly port: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCli(argv: readonly string[]): CliOptions {
  const parse = () => parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse());
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be a port number, not "${values.port}".`);
  const backend = backendOptions(values);
  const catalogue = values['pipeline-catalogue'];
  // Absolute: the handlers read it when first asked, whatever the directory then.
  const flags = catalogue === undefined ? backend.flags : { ...backend.flags, pipelineCatalogue: resolve(catalogue) };
  return { ...backend, flags, host: values.host, port };
}

/** BACKEND_OPTIONS as parseArgs answers them. */
interface BackendValues {
  readonly 'control-bucket'?: string | undefined;
  readonly 'control-prefix'?: string | undefined;
  readonly 'table-name'?: string | undefined;
  readonly 'customers-table'?: string | undefined;
  readonly 'idempotency-table'?: string | undefined;
  readonly 'notifications-table'?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly verbose: boolean;
  readonly 'create-table': boolean;
  readonly aws: boolean;
  readonly 'data-dir': string;
  readonly auth?: string | undefined;
  readonly help: boolean;
}

export function backendOptions(values: BackendValues): BackendOptions {
  if (values.auth !== undefined && values.auth !== 'off' && values.auth !== 'jwt') throw new UsageError(`--auth takes off or jwt, not "${values.auth}".`);
  return {
    flags: {
      controlBucket: values['control-bucket'],
      controlPrefix: values['control-prefix'],
      tableName: values['table-name'],
      customersTable: values['customers-table'],
      idempotencyTable: values['idempotency-table'],
      notificationsTable: values['notifications-table'],
      region: values.region,
    },
    profile: values.profile,
    verbose: values.verbose,
    createTable: values['create-table'],
    aws: values.aws,
    dataDir: values['data-dir'],
    auth: values.auth as AuthMode | undefined,
    help: values.help,
  };
}

/** Authorization is off by default on emulators (the README's curl works as is), on against real AWS. */
export function chooseAuth(backend: Backend, given: AuthMode | undefined): AuthMode {
  return given ?? (backend === 'aws' ? 'jwt' : 'off');
}

export function chooseBackend(aws: boolean, env: NodeJS.ProcessEnv = process.env): Backend {
  if (ENDPOINT_VARIABLES.some((name) => env[name]?.trim())) return 'endpoints';
  return aws ? 'aws' : 'embedded';
}

const controlBucketGiven = (flags: SettingFlags, env: NodeJS.ProcessEnv): boolean =>
  [flags.controlBucket, env[ENV.controlBucket], env[ENV.monitorBucket]].some((value) => value?.trim());

type Logger = (typeof import('./log.ts'))['localLogger'];

/** A backend made ready: the settings handlers will read, and how to stop what was started for it. */
export interface PreparedBackend {
  readonly backend: Backend;
  readonly settings: Settings;
  readonly logger: Logger;
  readonly auth: AuthMode;
  /** The embedded emulators' endpoints (none for the other backends). */
  readonly endpoints: { readonly dynamodb?: string; readonly s3?: string };
  /** Stops the embedded emulators (nothing for the other backends). */
  stop(): Promise<void>;
}

/** The sender of local mail, which never leaves the data directory. */
export const LOCAL_SENDER = 'daylily-workset-api@localhost';

/** Where the local stream consumer's events and mail go: what the environment does not set already. */
export function localDeliveryEnv(dataDir: string, env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    ...(env[DELIVERY_ENV.eventBus]?.trim() || env[DELIVERY_ENV.eventsDir]?.trim() ? {} : { [DELIVERY_ENV.eventsDir]: resolve(dataDir, 'events') }),
    ...(env[DELIVERY_ENV.mailDir]?.trim() ? {} : { [DELIVERY_ENV.mailDir]: resolve(dataDir, 'mail') }),
    ...(env[DELIVERY_ENV.notificationSender]?.trim() ? {} : { [DELIVERY_ENV.notificationSender]: LOCAL_SENDER }),
  };
}

/**
 * Chooses the backend, turns flags into the environment handlers read (before any handler module
 * is loaded), and for the embedded one starts the emulators and prepares the tables.
 */
export async function prepareBackend(options: BackendOptions): Promise<PreparedBackend> {
  // Before the logger module is first imported: it reads the level at construction.
  if (options.verbose) process.env.LOG_LEVEL = 'DEBUG';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { localLogger: logger } = await import('./log.ts');

  const backend = chooseBackend(options.aws);
  const flags: SettingFlags = { ...options.flags };
  if (backend === 'embedded' && !controlBucketGiven(flags, process.env)) flags.controlBucket = EMBEDDED_CONTROL_BUCKET;
  if (options.profile) {
    if (backend === 'embedded') logger.warn('--profile is ignored: the embedded emulators use local credentials.', { profile: options.profile });
    else process.env.AWS_PROFILE = options.profile;
  }
  if (backend === 'endpoints' && options.aws) {
    logger.warn('--aws is ignored: AWS endpoint variables are set and take precedence.', {
      endpoints: Object.fromEntries(ENDPOINT_VARIABLES.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : []))),
    });
  }

  const auth = chooseAuth(backend, options.auth);
  // The handlers accept a customer route without a verified principal only where this says so.
  if (auth === 'off') process.env[ENV.auth] = 'off';
  else delete process.env[ENV.auth];
  Object.assign(process.env, flagsToEnv(flags));
  // The stream consumer runs here, except against real AWS (the deployed one runs there): its
  // events and mail go to the data directory unless the environment says otherwise.
  if (backend !== 'aws') Object.assign(process.env, localDeliveryEnv(options.dataDir, process.env));
  // The handlers' own settings, read now: their warnings (settings given but unusable) are logged
  // at start-up, once, rather than at the first request.
  const settings = currentSettings();
  // Handlers' SDK clients use the settings' region; the defaulting must not differ between them.
  process.env[ENV.region] ??= settings.region;

  const emulators: RunningEmulator[] = [];
  const stop = async (): Promise<void> => {
    // s3rver first: it is the quicker one, and DynamoDB Local's JVM must be gone before we exit.
    for (const emulator of [...emulators].reverse()) await emulator.stop().catch((error: unknown) => logger.error('emulator did not stop cleanly', { error: error as Error }));
  };

  let embeddedEndpoints: { dynamodb?: string; s3?: string } = {};
  try {
    if (backend === 'embedded') embeddedEndpoints = await startEmbedded(options, settings, emulators, logger);
    if (backend === 'embedded' || options.createTable) await prepareTables(settings, backend, logger);
  } catch (error) {
    await stop();
    throw error;
  }
  return { backend, settings, logger, auth, endpoints: embeddedEndpoints, stop };
}

/**
 * Starts the server and resolves with the process exit code once it has shut down (after SIGINT or
 * SIGTERM), or at once when start-up fails. `settle …` runs the settle command instead.
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'settle') return (await import('./settle-command.ts')).settleCommand(argv.slice(1));
  if (argv[0] === 'customers' || argv[0] === 'token') {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { runAdmin } = await import('./admin-cli.ts');
    return runAdmin(argv);
  }
  if (argv[0] === 'reconcile') return (await import('./reconcile-command.ts')).reconcileCommand(argv.slice(1));
  if (argv[0] === 'events') return (await import('./events-command.ts')).eventsCommand(argv.slice(1));
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  // Before anything starts: a server whose catalogue is broken would refuse every registration.
  const catalogue = loadPipelineCatalogue(resolveSettings(options.flags, process.env).pipelineCatalogue);
  if (!catalogue.ok) {
    process.stderr.write(`${catalogue.problem}\n`);
    return 1;
  }

  let prepared: PreparedBackend;
  try {
    prepared = await prepareBackend(options);
  } catch (error) {
    const { localLogger } = await import('./log.ts');
    localLogger.error('Start-up failed', { error: error as Error });
    return 1;
  }
  const { backend, settings, logger, auth, endpoints: embeddedEndpoints, stop: stopEmulators } = prepared;

  try {
    logger.info('Pipeline catalogue loaded', {
      version: catalogue.catalogue.version,
      source: settings.pipelineCatalogue ?? 'built-in',
      pipelines: catalogue.catalogue.pipelines.map((pipeline) => pipeline.id),
    });
    if (settings.controlBucket.ok) {
      logger.info('Integration layer initialized successfully', {
        bucket: settings.controlBucket.bucket,
        prefix: settings.controlBucket.prefix,
      });
    } else {
      // Keep serving: the health route reports the gap and registration answers 503 until fixed.
      logger.warn(settings.controlBucket.problem);
    }

    const [{ startLocalServer }, { ENTRY_POINTS, isHttpEntry }, { describeDelivery }] = await Promise.all([
      import('./server.ts'),
      import('../entry-points.ts'),
      import('../../lambdas/lib/wiring/event-deps.ts'),
    ]);
    if (backend !== 'aws') {
      const { resolveDeliverySettings } = await import('../../lambdas/lib/config/delivery-settings.ts');
      const delivery = resolveDeliverySettings(process.env);
      const described = describeDelivery(delivery);
      logger.info(`State-change events: ${described.events}; notifications: ${described.notifications}`, described);
      for (const warning of delivery.warnings) logger.warn(warning);
    }
    // Against real AWS the deployed stack already consumes the streams and runs the schedules: a
    // second consumer here would act on every change twice.
    const skipped = backend === 'aws' ? ENTRY_POINTS.filter((entry) => !isHttpEntry(entry)) : [];
    if (skipped.length > 0) {
      logger.warn('Stream and schedule entries do not run against real AWS: the deployed stack runs them.', { entries: skipped.map((entry) => entry.id) });
    }
    const dataDir = resolve(options.dataDir);
    const issuer = auth === 'jwt' ? await (await import('./local-issuer.ts')).localIssuer(dataDir) : undefined;
    const server = await startLocalServer({
      host: options.host,
      port: options.port,
      entries: backend === 'aws' ? ENTRY_POINTS.filter(isHttpEntry) : ENTRY_POINTS,
      auth: issuer ? { mode: 'jwt', issuer } : { mode: 'off' },
      warmUp: backend === 'embedded',
    });
    if (issuer) {
      logger.info('Authorization is on: customer routes need a bearer token of the local development issuer (npx daylily-workset-api token --customer <id>)', {
        auth,
        issuer: issuer.issuer,
        jwks: `${server.url}/.well-known/jwks.json`,
      });
    } else {
      logger.warn('Authorization is off: customer routes take requests without a token and act for the customer their path names (--auth jwt to verify tokens).', { auth });
    }
    if (backend === 'embedded') {
      // The `customers` commands use this server's emulator rather than a second one on the same data.
      await writeFile(resolve(dataDir, 'server.json'), JSON.stringify({ pid: process.pid, url: server.url, ...embeddedEndpoints }));
    }
    logger.info(`Daylily workset API listening on ${server.url}`, { url: server.url, backend, auth });

    return await new Promise<number>((resolveExit) => {
      let stopping = false;
      const shutdown = (signal: NodeJS.Signals): void => {
        if (stopping) {
          logger.warn('Second signal: exiting without waiting for requests in flight.', { signal });
          // The 'exit' hook and the watchdog still take DynamoDB Local down.
          process.exit(1);
        }
        stopping = true;
        logger.info('Shutting down', { signal });
        void server
          .close(10_000)
          .then(() => (backend === 'embedded' ? rm(resolve(options.dataDir, 'server.json'), { force: true }) : undefined))
          .then(stopEmulators)
          .then(() => {
            logger.info('Stopped');
            resolveExit(0);
          });
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    });
  } catch (error) {
    logger.error('Start-up failed', { error: error as Error });
    await stopEmulators();
    return 1;
  }
}

async function startEmbedded(options: BackendOptions, settings: Settings, emulators: RunningEmulator[], logger: Logger): Promise<{ dynamodb: string; s3: string }> {
  const { startDynamoDbLocal, startS3Server, localAwsEnv } = await import('./emulators.ts');
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const buckets = settings.controlBucket.ok ? [settings.controlBucket.bucket] : [];
  const [dynamodb, s3] = await Promise.allSettled([
    startDynamoDbLocal({ dbPath: resolve(dataDir, 'dynamodb'), log: (line) => logger.debug(line, { emulator: 'dynamodb-local' }) }),
    startS3Server({ directory: resolve(dataDir, 's3'), buckets, silent: true }),
  ]);
  for (const started of [dynamodb, s3]) if (started.status === 'fulfilled') emulators.push(started.value);
  if (dynamodb.status === 'rejected') throw dynamodb.reason;
  if (s3.status === 'rejected') throw s3.reason;

  // Local credentials only: a profile would outrank them in the SDK's credential chain, and a
  // session token from the shell would be sent along with them.
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, localAwsEnv({ dynamodb: dynamodb.value.endpoint, s3: s3.value.endpoint }));
  logger.info('Embedded AWS emulators started', { dynamodb: dynamodb.value.endpoint, s3: s3.value.endpoint, dataDir, buckets });
  return { dynamodb: dynamodb.value.endpoint, s3: s3.value.endpoint };
}

async function prepareTables(settings: Settings, backend: Backend, logger: Logger): Promise<void> {
  const [{ DynamoDBClient, ConditionalCheckFailedException }, { DynamoDBDocumentClient, PutCommand, UpdateCommand }, { ensureTables }, { ENTRY_POINTS, streamTables }] =
    await Promise.all([
      import('@aws-sdk/client-dynamodb'),
      import('@aws-sdk/lib-dynamodb'),
      import('../../lambdas/lib/stores/dynamodb/create-tables.ts'),
      import('../entry-points.ts'),
    ]);
  // Endpoint and credentials come from the environment, exactly as the handlers' clients get them.
  const client = new DynamoDBClient({ region: settings.region });
  try {
    const tables = tableNames(settings);
    // The tables stream entries read get their stream, as the stack gives them one.
    const streams = streamTables(ENTRY_POINTS);
    await ensureTables(client, tables, { streams });
    logger.info('Tables ready', { tables, ...(streams.length > 0 ? { streams } : {}) });
    if (backend !== 'embedded') return;
    const db = DynamoDBDocumentClient.from(client);
    for (const demo of DEMO_CUSTOMERS) {
      const at = new Date().toISOString();
      try {
        await db.send(
          new PutCommand({
            TableName: tables.customers,
            // As the customers adapter writes one (`directory` puts it in the listing).
            Item: { ...DEMO_SETTINGS, ...demo, created_at: at, updated_at: at, version: 1, directory: 'customers' },
            ConditionExpression: 'attribute_not_exists(customer_id)',
          }),
        );
        logger.info('Seeded a demo customer', { customerId: demo.customer_id });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // A data directory from before quotas: give its demo customer the settings, keep the rest.
        await db
          .send(
            new UpdateCommand({
              TableName: tables.customers,
              Key: { customer_id: demo.customer_id },
              UpdateExpression: 'SET #s = :s, #l = :l, #d = :d, #v = :v, #m = :m, #t = :t, #c = :c',
              ConditionExpression: 'attribute_not_exists(#v)',
              ExpressionAttributeNames: { '#s': 'max_active_worksets', '#l': 'data_locations', '#d': 'directory', '#v': 'version', '#m': 'max_samples_per_workset', '#t': 'billing_tags', '#c': 'machine_clients' },
              ExpressionAttributeValues: { ':s': DEMO_SETTINGS.max_active_worksets, ':l': demo.data_locations, ':d': 'customers', ':v': 1, ':m': DEMO_SETTINGS.max_samples_per_workset, ':t': {}, ':c': [] },
            }),
          )
          .catch((upgrade: unknown) => {
            if (!(upgrade instanceof ConditionalCheckFailedException)) throw upgrade;
          });
      }
    }
  } finally {
    client.destroy();
  }
}

// `npx tsx infra/local/cli.ts …` runs it directly; the bin launcher imports and calls main().
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exit(await main(process.argv.slice(2)));
}
