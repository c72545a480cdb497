/**
 * The local server: the entry-point table's HTTP entries behind a Node HTTP server, and its
 * stream and schedule entries run in-process next to it (triggers.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { settingsFromEnv, tableNames } from '../../lambdas/lib/config/settings.ts';
import type { TableNames } from '../../lambdas/lib/stores/tables.ts';
import { ENTRY_POINTS, isHttpEntry, type EntryPoint } from '../entry-points.ts';
import { createRequestListener, HandlerModules, type LocalAuth } from './http-adapter.ts';
import { localLogger as logger } from './log.ts';
import { startTriggers, type RunningTriggers } from './triggers.ts';

export interface LocalServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8001; 0 picks a free port (read it from `url`). */
  readonly port?: number;
  /** Default: the entry-point table. HTTP entries are served, the others run as triggers. */
  readonly entries?: readonly EntryPoint[];
  /** Directory the entries' `handler` paths are relative to. Default: the repository root. */
  readonly root?: string;
  /** Where the stream entries' tables are. Default: the settings' table names. */
  readonly tables?: TableNames;
  /** Pause between reads of a quiet stream. Default 250 ms. */
  readonly streamPollIntervalMs?: number;
  /** How long one minute of a schedule's rate lasts. Default 60 000; tests shorten it. */
  readonly minuteMs?: number;
  /**
   * How the JWT (customer) routes authorize: `jwt` verifies tokens of the local issuer as API
   * Gateway would; `off` (the default) passes them on unverified, and the handlers accept that
   * only where DAYLILY_AUTH=off (the CLI sets it for `--auth off`).
   */
  readonly auth?: LocalAuth;
  /**
   * Warm the embedded emulators before listening, then the request path (warm-up.ts); never
   * against real AWS. Default false.
   */
  readonly warmUp?: boolean;
}

export interface LocalServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  /** The stream and schedule entries' runner (`triggers.tick(id)` runs a schedule entry now). */
  readonly triggers: Pick<RunningTriggers, 'tick'>;
  /**
   * Stops accepting connections, lets requests in flight finish (at most `graceMs`, default 10 s,
   * after which their connections are cut), and resolves once every connection is closed; stops
   * the triggers the same way.
   */
  close(graceMs?: number): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const entries = options.entries ?? ENTRY_POINTS;
  const routes = entries.filter(isHttpEntry);
  // Every route's handler is loaded before the server listens: the first request after a start
  // would otherwise pay for compiling and loading its module graph (hundreds of ms).
  const modules = new HandlerModules(options.root);
  await modules.preload(routes.map((route) => route.handler));
  const listener = createRequestListener({ routes, modules, ...(options.auth ? { auth: options.auth } : {}) });

  // Before listening: a stream entry whose table has no stream fails the start-up, not later.
  const settings = settingsFromEnv(process.env);
  if (options.warmUp) {
    // As for the request path below: only a slower first request is at stake, so a failed warm-up
    // (its scratch items are cleared by the next one) is logged and the server starts.
    await (await import('./warm-up.ts')).warmEmulators(settings).catch((error: Error) => logger.warn('the emulators warm-up failed', { error: error.message }));
  }
  const triggers = await startTriggers({
    entries,
    tables: options.tables ?? tableNames(settings),
    region: settings.region,
    ...(options.root ? { root: options.root } : {}),
    ...(options.streamPollIntervalMs === undefined ? {} : { pollIntervalMs: options.streamPollIntervalMs }),
    ...(options.minuteMs === undefined ? {} : { minuteMs: options.minuteMs }),
  });

  let closing = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A keep-alive connection must not carry new requests past shutdown.
    if (closing) res.setHeader('connection', 'close');
    res.once('finish', () => {
      if (closing) server.closeIdleConnections();
    });
    listener(req, res);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8001, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await triggers.close(0);
    throw error;
  }

  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (options.warmUp) {
    const status = await (await import('./warm-up.ts')).warmRequestPath(url, routes, options.auth).catch((error: Error) => error.message);
    // Only a slower first request is at stake: the server goes on.
    if (status !== undefined && status !== 200) logger.warn('the request path warm-up preview did not answer 200', { status });
  }

  let closed: Promise<void> | undefined;
  const close = (graceMs = 10_000): Promise<void> => {
    closed ??= Promise.all([
      new Promise<void>((resolve) => {
        closing = true;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
      triggers.close(graceMs),
    ]).then(() => undefined);
    return closed;
  };

  return { url, triggers: { tick: (entryId) => triggers.tick(entryId) }, close };
}
