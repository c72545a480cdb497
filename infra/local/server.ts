/** The local HTTP server: the entry-point table's handlers behind a Node HTTP server. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP_ENTRIES, type HttpEntry } from '../entry-points.ts';
import { createRequestListener } from './http-adapter.ts';

export interface LocalServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8001; 0 picks a free port (read it from `url`). */
  readonly port?: number;
  /** Default: the entry-point table. */
  readonly routes?: readonly HttpEntry[];
  /** Directory the routes' `handler` paths are relative to. Default: the repository root. */
  readonly root?: string;
}

export interface LocalServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  /**
   * Stops accepting connections, lets requests in flight finish (at most `graceMs`, default 10 s,
   * after which their connections are cut), and resolves once every connection is closed.
   */
  close(graceMs?: number): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const host = options.host ?? '127.0.0.1';
  const listener = createRequestListener({ routes: options.routes ?? HTTP_ENTRIES, ...(options.root ? { root: options.root } : {}) });

  let closing = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A keep-alive connection must not carry new requests past shutdown.
    if (closing) res.setHeader('connection', 'close');
    res.once('finish', () => {
      if (closing) server.closeIdleConnections();
    });
    listener(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8001, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (graceMs = 10_000): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing = true;
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };

  return { url, close };
}
