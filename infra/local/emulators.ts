/**
 * The local stand-ins for AWS: DynamoDB Local (AWS's own emulator, a Java program shipped inside
 * the `amplify-dynamodb-simulator` package) and s3rver. The local server's embedded mode and the
 * test harness start them; handlers reach them only through the SDK's standard endpoint variables
 * (`localAwsEnv`), so they run unchanged.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import S3rver from 's3rver';

/** The only credentials s3rver accepts; DynamoDB Local (with -sharedDb) accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Region the emulators are addressed with; with -sharedDb DynamoDB Local ignores it. */
export const LOCAL_REGION = 'us-west-2';

export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
}

export interface RunningEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * The environment a process needs to reach both emulators with an unmodified SDK client. The
 * checksum settings matter: with the SDK's default flexible checksums s3rver stores streamed
 * PutObject bodies corrupted.
 */
export function localAwsEnv(endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A TCP port that was free a moment ago (another process may still take it first). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// DynamoDB Local

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one is picked when omitted. */
  readonly port?: number;
  /** Directory for the database file; omitted → `-inMemory`. Created if missing. */
  readonly dbPath?: string;
  /** Receives each line the emulator prints. */
  readonly log?: (line: string) => void;
  /** How long to wait for the first successful ListTables. Default 30 s. */
  readonly startTimeoutMs?: number;
}

const JAVA_HINT =
  'DynamoDB Local needs Java 17 or newer on PATH (on Debian/Ubuntu: apt-get install default-jre-headless).';

export function dynamoDbLocalDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

function dynamoDbLocalArgs(port: number, dbPath: string | undefined): string[] {
  const emulator = dynamoDbLocalDirectory();
  return [
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    // Serial GC and C1 only: start-up drops from about 2.2 s to 1.2 s; the emulator is never hot.
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-jar',
    join(emulator, 'DynamoDBLocal.jar'),
    // Without -sharedDb each access key + region pair sees a separate database.
    '-sharedDb',
    '-port',
    String(port),
    '-disableTelemetry',
    ...(dbPath === undefined ? ['-inMemory'] : ['-dbPath', dbPath]),
  ];
}

/*
 * Runs the JVM under a small shell that kills it as soon as the shell's stdin reaches EOF. Node
 * holds the other end of that pipe: stop() closes it, and when Node dies in any way (even SIGKILL,
 * where no 'exit' handler runs) the kernel closes it, so the JVM never outlives this process.
 * INT is ignored so that a Ctrl-C reaches Node, which shuts down in order.
 */
const WATCHDOG = [
  "trap '' INT",
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'java_pid=$!',
  '{ read -r _ <&3; kill "$java_pid" 2>/dev/null; } &',
  'watch_pid=$!',
  'exec 3<&-',
  `trap 'kill "$java_pid" 2>/dev/null' TERM HUP`,
  'wait "$java_pid"; status=$?',
  'if kill -0 "$java_pid" 2>/dev/null; then wait "$java_pid"; status=$?; fi',
  'kill "$watch_pid" 2>/dev/null',
  'exit "$status"',
].join('\n');

class DynamoDbLocalExited extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
    this.name = 'DynamoDbLocalExited';
  }
}

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<RunningEmulator> {
  const dbPath = opts.dbPath === undefined ? undefined : resolve(opts.dbPath);
  if (dbPath !== undefined) await mkdir(dbPath, { recursive: true });
  // A picked port can be taken between the probe and the JVM's bind: pick again a few times.
  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launchDynamoDbLocal(port, dbPath, opts);
    } catch (error) {
      if (!(error instanceof DynamoDbLocalExited && error.portTaken && attempt < attempts)) throw error;
    }
  }
}

async function launchDynamoDbLocal(
  port: number,
  dbPath: string | undefined,
  opts: DynamoDbLocalOptions,
): Promise<RunningEmulator> {
  const endpoint = `http://127.0.0.1:${port}`;
  const javaArgs = dynamoDbLocalArgs(port, dbPath);
  const env = { ...process.env, DDB_LOCAL_TELEMETRY: '0' };
  const child: ChildProcessWithoutNullStreams =
    process.platform === 'win32'
      ? spawn('java', javaArgs, { env, stdio: 'pipe' })
      : spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', 'java', ...javaArgs], { env, stdio: 'pipe' });

  const recentOutput: string[] = [];
  const onOutput = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (line.trim() === '') continue;
      recentOutput.push(line);
      if (recentOutput.length > 40) recentOutput.shift();
      opts.log?.(line);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);

  let exitCode: number | null | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : null);
      resolveExit();
    });
    child.once('error', (error) => {
      spawnError = error;
      exitCode ??= -1;
      resolveExit();
    });
  });
  // Last resort for a normal exit that skipped stop(); the watchdog covers abnormal ones.
  const killOnExit = (): void => {
    child.stdin.destroy();
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (exitCode !== undefined) return;
    child.stdin.end();
    if (process.platform === 'win32') child.kill();
    if (await settlesWithin(exited, 10_000)) return;
    child.kill('SIGTERM');
    if (await settlesWithin(exited, 5_000)) return;
    child.kill('SIGKILL');
    await exited;
  };

  const exitError = (): DynamoDbLocalExited => {
    const output = recentOutput.join('\n');
    const notFound =
      exitCode === 127 || (spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' || /java: (command )?not found/.test(output);
    if (notFound) return new DynamoDbLocalExited(`Cannot start DynamoDB Local: \`java\` was not found. ${JAVA_HINT}`, false);
    if (/UnsupportedClassVersionError|has been compiled by a more recent version/.test(output)) {
      return new DynamoDbLocalExited(`Cannot start DynamoDB Local: the \`java\` on PATH is too old. ${JAVA_HINT}\n${output}`, false);
    }
    const portTaken = /Address already in use|BindException/.test(output);
    return new DynamoDbLocalExited(
      `DynamoDB Local exited during start-up (exit code ${exitCode}) on port ${port}.` +
        (spawnError ? ` ${spawnError.message}.` : '') +
        (output ? `\n${output}` : ''),
      portTaken,
    );
  };

  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (exitCode !== undefined) throw exitError();
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (exitCode !== undefined) throw exitError();
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer ListTables on ${endpoint} within ${opts.startTimeoutMs ?? 30_000} ms. ` +
              `${JAVA_HINT}\n${recentOutput.join('\n')}`,
          );
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// s3rver

export interface S3ServerOptions {
  /** Port to listen on; a free one is picked when omitted. */
  readonly port?: number;
  /** Where objects are stored; created if missing. Reusing it keeps the data. */
  readonly directory: string;
  /** Buckets to create at start-up (existing ones are kept). */
  readonly buckets: readonly string[];
  /** Silence s3rver's own request log. Default true. */
  readonly silent?: boolean;
}

export async function startS3Server(opts: S3ServerOptions): Promise<RunningEmulator> {
  await mkdir(opts.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    directory: resolve(opts.directory),
    silent: opts.silent ?? true,
    // Path-style only: bucket names never become host names locally.
    vhostBuckets: false,
    configureBuckets: opts.buckets.map((name) => ({ name })),
  });
  keepDirectoriesOnDelete(server);
  const address = await server.run();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const httpServer = server.httpServer;
      const closed = server.close();
      // Keep-alive sockets of SDK clients would hold close() open; in-flight requests get a moment.
      httpServer?.closeIdleConnections();
      if (!(await settlesWithin(closed, 2_000))) {
        httpServer?.closeAllConnections();
        await closed;
      }
    })();
    return stopped;
  };
  return { endpoint: `http://127.0.0.1:${address.port}`, stop };
}

/** The slice of s3rver's (untyped) filesystem store that `keepDirectoriesOnDelete` replaces. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/**
 * s3rver deletes a folder's directory together with its last object. A put into the same folder at
 * that moment (a sentinel sync deletes `daylily.ready` while it writes `daylily.lock`) then opens
 * its file in a directory that is gone, and the write stream's unhandled error kills the process
 * hosting s3rver: the test run, or the local server. Deleting only the object's files keeps the
 * directory; listings are built from files, so an empty directory is invisible to S3 clients.
 */
function keepDirectoriesOnDelete(server: S3rver): void {
  const store = (server as unknown as { store: FilesystemStore }).store;
  store.deleteObject = async (bucket, key) => {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json'].map((resource) =>
        unlink(store.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        }),
      ),
    );
  };
}
