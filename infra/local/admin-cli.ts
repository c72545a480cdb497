/**
 * `daylily-workset-api customers …` and `daylily-workset-api token …`: an operator's commands,
 * through the same flows and request schemas as the operator routes.
 *
 *   customers add|list|show|update   against the embedded emulators' data (default), the endpoints
 *                                    of AWS_ENDPOINT_URL[_DYNAMODB], or, with --aws, the deployed
 *                                    customers table (--customers-table <CustomersTableName>)
 *   token --customer <id> …          an access token of the local development issuer
 *
 * The embedded data belongs to one DynamoDB Local at a time: while a local server runs on the
 * data directory (it records its emulators in `<data dir>/server.json`), the commands use its
 * emulator; otherwise they start one on the directory for the command's duration.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { resolveSettings, tableNames } from '../../lambdas/lib/config/settings.ts';
import { normaliseDataLocation } from '../../lambdas/lib/domain/customer.ts';
import { CUSTOMER_ID_PATTERN } from '../../lambdas/lib/domain/workset.ts';
import { WorksetApiError, type FieldError } from '../../lambdas/lib/errors.ts';
import { customerUsage, getCustomer, listCustomers, onboardCustomer, updateCustomer } from '../../lambdas/lib/flows/customer-directory.ts';
import type { CustomerAdminDeps } from '../../lambdas/lib/flows/deps.ts';
import { parseOrThrow } from '../../lambdas/lib/schemas/parse.ts';
import { CreateCustomerRequest, UpdateCustomerRequest } from '../../lambdas/lib/schemas/customer-admin-requests.ts';
import { dynamoCustomerAdmin } from '../../lambdas/lib/stores/dynamodb/customer-admin.ts';
import { ensureTables } from '../../lambdas/lib/stores/dynamodb/create-tables.ts';
import { JWT_SCOPES, type JwtScope } from '../entry-points.ts';
import { DEFAULT_DATA_DIR, EMBEDDED_CONTROL_BUCKET } from './cli.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type RunningEmulator } from './emulators.ts';
import { localIssuer } from './local-issuer.ts';

export const ADMIN_USAGE = `Usage:
  daylily-workset-api customers add --name NAME --email EMAIL [--id ID] [--max-active-worksets N]
        [--max-samples N] [--data-location s3://bucket/prefix/ ...] [--machine-client CLIENT_ID ...]
        [--billing-tag KEY=VALUE ...]
  daylily-workset-api customers list [--limit N]
  daylily-workset-api customers show CUSTOMER_ID              (its settings and usage)
  daylily-workset-api customers update CUSTOMER_ID [--name NAME] [--email EMAIL]
        [--max-active-worksets N] [--max-samples N] [--data-location URI ...] [--add-data-location URI ...]
        [--remove-data-location URI ...] [--machine-client ID ...] [--add-machine-client ID ...]
        [--remove-machine-client ID ...] [--billing-tag KEY=VALUE ...] [--suspend | --unsuspend]
    Where: the embedded emulators' data in --data-dir (default ${DEFAULT_DATA_DIR}/; a running local server's
    emulator when there is one), AWS_ENDPOINT_URL[_DYNAMODB], or with --aws [--region R] [--profile P]
    the deployed table: --customers-table <CustomersTableName output> (or DAYLILY_CUSTOMER_TABLE).

  daylily-workset-api token --customer CUSTOMER_ID [--scope read,write] [--expires 1h] [--user NAME]
  daylily-workset-api token --operator [--scope …] [--expires …]
  daylily-workset-api token --client CLIENT_ID [--scope …] [--expires …]   (a machine client's token)
    An access token of the local development issuer (keys in --data-dir), for a local server started
    with --auth jwt: curl -H "Authorization: Bearer $(npx daylily-workset-api token --customer ID)" …
`;

export class AdminUsageError extends Error {}

const COMMON = {
  'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
  aws: { type: 'boolean', default: false },
  region: { type: 'string' },
  profile: { type: 'string' },
  'customers-table': { type: 'string' },
} as const;

const SETTINGS = {
  name: { type: 'string' },
  email: { type: 'string' },
  'max-active-worksets': { type: 'string' },
  'max-samples': { type: 'string' },
  'data-location': { type: 'string', multiple: true },
  'machine-client': { type: 'string', multiple: true },
  'billing-tag': { type: 'string', multiple: true },
} as const;

const number = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new AdminUsageError(`--${flag} must be a whole number, not "${value}".`);
  return Number(value);
};

function tags(values: readonly string[] | undefined): Record<string, string> | undefined {
  if (!values) return undefined;
  return Object.fromEntries(
    values.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new AdminUsageError(`--billing-tag takes KEY=VALUE, not "${pair}".`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** `1h`, `30m`, `90s` or a number of seconds. */
export function parseDuration(value: string): number {
  const match = /^(-?\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new AdminUsageError(`--expires takes a duration such as 15m, 1h or 3600, not "${value}".`);
  return Number(match[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
}

function parseScopes(value: string | undefined): JwtScope[] | undefined {
  if (value === undefined) return undefined;
  const scopes = value.split(/[\s,]+/).filter((scope) => scope !== '');
  const unknown = scopes.find((scope) => !(JWT_SCOPES as readonly string[]).includes(scope));
  if (unknown !== undefined) throw new AdminUsageError(`--scope takes ${JWT_SCOPES.join(', ')} (comma-separated), not "${unknown}".`);
  return scopes as JwtScope[];
}

/** parseArgs, its complaints as usage errors. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new AdminUsageError((error as Error).message);
  }
}

interface Connection {
  readonly deps: CustomerAdminDeps;
  close(): Promise<void>;
}

/** The running local server's emulators, when one runs on `dataDir`. */
async function runningServer(dataDir: string): Promise<{ dynamodb: string } | undefined> {
  try {
    const recorded = JSON.parse(await readFile(resolve(dataDir, 'server.json'), 'utf8')) as { pid: number; dynamodb?: string };
    process.kill(recorded.pid, 0);
    return recorded.dynamodb ? { dynamodb: recorded.dynamodb } : undefined;
  } catch {
    return undefined;
  }
}

async function connect(values: { 'data-dir': string; aws: boolean; region?: string; profile?: string; 'customers-table'?: string }): Promise<Connection> {
  const endpointSet = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB'].some((name) => process.env[name]?.trim());
  let emulator: RunningEmulator | undefined;
  let client: DynamoDBClient;
  const settings = resolveSettings({ customersTable: values['customers-table'], region: values.region }, process.env);
  if (values.aws || endpointSet) {
    if (values.profile) process.env.AWS_PROFILE = values.profile;
    if (values.aws && !values['customers-table'] && !process.env.DAYLILY_CUSTOMER_TABLE) {
      throw new AdminUsageError('With --aws, name the deployed table: --customers-table <CustomersTableName output> (or set DAYLILY_CUSTOMER_TABLE).');
    }
    client = new DynamoDBClient({ region: settings.region });
  } else {
    const dataDir = resolve(values['data-dir']);
    const server = await runningServer(dataDir);
    if (!server) {
      emulator = await startDynamoDbLocal({ dbPath: resolve(dataDir, 'dynamodb') });
    }
    client = new DynamoDBClient({ endpoint: server?.dynamodb ?? emulator!.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    // A fresh data directory: the tables the server would create.
    await ensureTables(client, tableNames(settings));
  }
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    deps: {
      customers: dynamoCustomerAdmin({ db, tables: tableNames(settings), random: Math.random }),
      ...(values.aws || endpointSet ? (settings.controlBucket.ok ? { controlBucket: settings.controlBucket.bucket } : {}) : { controlBucket: EMBEDDED_CONTROL_BUCKET }),
      now: () => new Date(),
      randomHex: () => randomBytes(4).toString('hex'),
    },
    async close() {
      client.destroy();
      await emulator?.stop();
    },
  };
}

async function customersCommand(argv: readonly string[]): Promise<unknown> {
  const [action, ...rest] = argv;
  const options = {
    ...COMMON,
    ...SETTINGS,
    id: { type: 'string' },
    limit: { type: 'string' },
    'add-data-location': { type: 'string', multiple: true },
    'remove-data-location': { type: 'string', multiple: true },
    'add-machine-client': { type: 'string', multiple: true },
    'remove-machine-client': { type: 'string', multiple: true },
    suspend: { type: 'boolean' },
    unsuspend: { type: 'boolean' },
  } as const;
  const { values, positionals } = usage(() => parseArgs({ args: [...rest], options, allowPositionals: true, strict: true }));
  const wanted = (allowed: readonly string[]): void => {
    const extra = Object.keys(values).filter((name) => !(name in COMMON) && !allowed.includes(name));
    if (extra.length > 0) throw new AdminUsageError(`customers ${action} does not take --${extra.join(', --')}.`);
  };
  const customerId = (): string => {
    const id = positionals[0];
    if (!id || positionals.length > 1) throw new AdminUsageError(`customers ${action} takes one CUSTOMER_ID.`);
    return id;
  };
  const settingsOf = () => ({
    customer_name: values.name,
    email: values.email,
    max_active_worksets: number(values['max-active-worksets'], 'max-active-worksets'),
    max_samples_per_workset: number(values['max-samples'], 'max-samples'),
    data_locations: values['data-location'],
    machine_clients: values['machine-client'],
    billing_tags: tags(values['billing-tag']),
  });
  const defined = (object: Record<string, unknown>) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

  if (action === 'add') {
    wanted(Object.keys(SETTINGS).concat('id'));
    if (positionals.length > 0) throw new AdminUsageError('customers add takes no positional arguments (use --name, --email, …).');
    if (values.id !== undefined && !CUSTOMER_ID_PATTERN.test(values.id)) throw new AdminUsageError(`--id must be a customer id ([A-Za-z0-9_-], at most 128), not "${values.id}".`);
    const request = parseOrThrow(CreateCustomerRequest, defined(settingsOf()), 'customer');
    const connection = await connect(values);
    try {
      return await onboardCustomer(connection.deps, request, values.id);
    } finally {
      await connection.close();
    }
  }
  if (action === 'list') {
    wanted(['limit']);
    const connection = await connect(values);
    try {
      const customers = [];
      let nextToken: string | undefined;
      const limit = number(values.limit, 'limit');
      do {
        const page = await listCustomers(connection.deps, { limit: Math.min(limit ?? 100, 100), ...(nextToken ? { next_token: nextToken } : {}) });
        customers.push(...page.customers);
        nextToken = page.next_token ?? undefined;
      } while (nextToken && (limit === undefined || customers.length < limit));
      return limit === undefined ? customers : customers.slice(0, limit);
    } finally {
      await connection.close();
    }
  }
  if (action === 'show') {
    wanted([]);
    const id = customerId();
    const connection = await connect(values);
    try {
      return { ...(await getCustomer(connection.deps, id)), usage: await customerUsage(connection.deps, id) };
    } finally {
      await connection.close();
    }
  }
  if (action === 'update') {
    wanted([...Object.keys(SETTINGS), 'add-data-location', 'remove-data-location', 'add-machine-client', 'remove-machine-client', 'suspend', 'unsuspend']);
    const id = customerId();
    if (values.suspend && values.unsuspend) throw new AdminUsageError('--suspend and --unsuspend contradict each other.');
    const adds = values['add-data-location'] ?? values['remove-data-location'] ?? values['add-machine-client'] ?? values['remove-machine-client'];
    const connection = await connect(values);
    try {
      // Additions and removals are applied to the customer as it is now.
      const current = adds ? await getCustomer(connection.deps, id) : undefined;
      const edit = (list: readonly string[] | undefined, add: readonly string[] | undefined, remove: readonly string[] | undefined, base: readonly string[] | undefined) =>
        add || remove ? [...new Set([...(list ?? base ?? []), ...(add ?? [])])].filter((item) => !(remove ?? []).includes(item)) : list;
      // Locations compare as stored (s3://bucket/prefix/); one that is not a location is left for the schema to refuse.
      const asStored = (uris: readonly string[] | undefined) => uris?.map((uri) => normaliseDataLocation(uri) ?? uri);
      const changes = defined({
        ...settingsOf(),
        data_locations: edit(asStored(values['data-location']), asStored(values['add-data-location']), asStored(values['remove-data-location']), current?.data_locations),
        machine_clients: edit(values['machine-client'], values['add-machine-client'], values['remove-machine-client'], current?.machine_clients),
        ...(values.suspend ? { suspended: true } : values.unsuspend ? { suspended: false } : {}),
      });
      return await updateCustomer(connection.deps, id, parseOrThrow(UpdateCustomerRequest, changes, 'change'));
    } finally {
      await connection.close();
    }
  }
  throw new AdminUsageError(`customers takes add, list, show or update${action ? `, not "${action}"` : ''}.`);
}

async function tokenCommand(argv: readonly string[]): Promise<string> {
  const options = {
    'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
    customer: { type: 'string' },
    operator: { type: 'boolean', default: false },
    client: { type: 'string' },
    user: { type: 'string' },
    scope: { type: 'string' },
    expires: { type: 'string' },
  } as const;
  const { values, positionals } = usage(() => parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }));
  if (positionals.length > 0) throw new AdminUsageError('token takes no positional arguments.');
  if (!values.customer && !values.operator && !values.client) throw new AdminUsageError('token needs --customer CUSTOMER_ID, --operator or --client CLIENT_ID.');
  if (values.client && (values.customer || values.operator || values.user)) throw new AdminUsageError('--client makes a machine client\'s token: it takes no --customer, --operator or --user (its customer is the one the client is registered to).');
  const issuer = await localIssuer(resolve(values['data-dir']));
  const scopes = parseScopes(values.scope);
  return issuer.token({
    ...(values.customer ? { customerId: values.customer } : {}),
    ...(values.operator ? { operator: true } : {}),
    ...(values.client ? { clientId: values.client } : {}),
    ...(values.user ? { username: values.user } : {}),
    ...(scopes ? { scopes } : {}),
    ...(values.expires ? { expiresInSeconds: parseDuration(values.expires) } : {}),
  });
}

/** Runs `customers …` or `token …`; resolves with the exit code. */
export async function runAdmin(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(ADMIN_USAGE);
      return 0;
    }
    if (command === 'token') {
      process.stdout.write(`${await tokenCommand(rest)}\n`);
      return 0;
    }
    process.stdout.write(`${JSON.stringify(await customersCommand(rest), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AdminUsageError) {
      process.stderr.write(`${error.message}\n\n${ADMIN_USAGE}`);
      return 2;
    }
    if (error instanceof WorksetApiError) {
      const fields = (error as { errors?: readonly FieldError[] }).errors ?? [];
      process.stderr.write(`${error.title}: ${error.message}\n${fields.map((field) => `  ${field.field}: ${field.message}\n`).join('')}`);
      return 1;
    }
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
