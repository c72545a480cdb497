/**
 * The local server's warm-up of its embedded stack (infra/local/warm-up.ts): it runs through the
 * handlers' clients against the real emulators, makes a create's calls, and leaves nothing behind —
 * no item, no object — even after a warm-up cut short; then a preview runs the request path, with
 * a verified token on a JWT server, and calls no AWS service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { HTTP_ENTRIES } from '../../infra/entry-points.ts';
import { localIssuer } from '../../infra/local/local-issuer.ts';
import { localLogger } from '../../infra/local/log.ts';
import { settingsFromEnv } from '../../lambdas/lib/config/settings.ts';
import { startLocalServer } from '../../infra/local/server.ts';
import { WARM_UP_KEY, WARM_UP_PREFIX, warmEmulators, warmRequestPath } from '../../infra/local/warm-up.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('local warm-up');

describe('warming the embedded emulators', () => {
  /** Every item of the three tables a create writes, and every object of the bucket. */
  async function everything() {
    const scan = async (table: string) => (await aws.ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
    return {
      worksets: await scan(aws.tables.worksets),
      customers: await scan(aws.tables.customers),
      idempotency: await scan(aws.tables.idempotency),
      objects: await aws.listKeys(''),
    };
  }

  it("makes a create's calls and leaves no item and no object", async () => {
    const before = await everything();
    const calls: string[] = [];
    const settings = settingsFromEnv();
    documentClient(settings.region).middlewareStack.add((next, context) => (args) => (calls.push(context.commandName!), next(args)), { step: 'initialize', name: 'warm-up-watch' });
    try {
      await warmEmulators(settings, 2);
    } finally {
      documentClient(settings.region).middlewareStack.remove('warm-up-watch');
    }
    // Per round: the customer read, the registration's transaction, the ready flip, the clean-up.
    expect(calls.filter((name) => name === 'GetItemCommand')).toHaveLength(2);
    expect(calls.filter((name) => name === 'TransactWriteItemsCommand')).toHaveLength(1 + 2 * 3);
    expect(await everything()).toEqual(before);
    expect(WARM_UP_PREFIX.startsWith(aws.controlPrefix)).toBe(false);
  });

  it('clears what a warm-up cut short left behind', async () => {
    await aws.ddb.send(new PutCommand({ TableName: aws.tables.worksets, Item: { workset_id: WARM_UP_KEY, state: 'registering' } }));
    await aws.ddb.send(new PutCommand({ TableName: aws.tables.idempotency, Item: { idempotency_key: WARM_UP_KEY, expires_at: 9_999_999_999 } }));
    await warmEmulators(settingsFromEnv(), 1);
    const left = await everything();
    expect(left.worksets.filter((item) => item.workset_id === WARM_UP_KEY)).toEqual([]);
    expect(left.idempotency.filter((item) => item.idempotency_key === WARM_UP_KEY)).toEqual([]);
  });

  it('runs before the server listens when asked, and the server then answers', async () => {
    const server = await startLocalServer({ port: 0, entries: [], warmUp: true });
    try {
      expect((await fetch(`${server.url}/no-such-route`)).status).toBe(404);
      expect((await aws.listKeys('')).filter((key) => key.startsWith(WARM_UP_PREFIX))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('that fails is logged, and the server starts all the same', async () => {
    const { region } = settingsFromEnv();
    // A real fault: the handlers' client refuses every transaction while the warm-up runs.
    documentClient(region).middlewareStack.add(
      (next, context) => (args) => (context.commandName === 'TransactWriteItemsCommand' ? Promise.reject(new Error('injected outage')) : next(args)),
      { step: 'initialize', name: 'warm-up-outage' },
    );
    const warned = vi.spyOn(localLogger, 'warn');
    try {
      const server = await startLocalServer({ port: 0, entries: [], warmUp: true });
      try {
        expect(warned).toHaveBeenCalledWith('the emulators warm-up failed', { error: 'injected outage' });
        expect((await fetch(`${server.url}/no-such-route`)).status).toBe(404);
      } finally {
        await server.close();
      }
    } finally {
      documentClient(region).middlewareStack.remove('warm-up-outage');
      warned.mockRestore();
    }
  });
});

describe('warming the request path', () => {
  /** The AWS calls the handlers' clients make while `run` runs. */
  async function awsCallsDuring(run: () => Promise<void>): Promise<string[]> {
    const calls: string[] = [];
    const { region } = settingsFromEnv();
    const watched = [documentClient(region).middlewareStack, s3Client(region).middlewareStack] as Array<{ add: Function; remove(name: string): boolean }>;
    const watch = (next: (args: unknown) => unknown, context: { commandName: string }) => (args: unknown) => (calls.push(context.commandName), next(args));
    for (const stack of watched) stack.add(watch, { step: 'initialize', name: 'request-path-watch' });
    try {
      await run();
    } finally {
      for (const stack of watched) stack.remove('request-path-watch');
    }
    return calls;
  }

  it('previews through the server with a verified token, and calls no AWS service', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'daylily-warm-up-'));
    const auth = { mode: 'jwt', issuer: await localIssuer(dataDir) } as const;
    const server = await startLocalServer({ port: 0, entries: HTTP_ENTRIES, auth });
    try {
      let status: number | undefined;
      expect(await awsCallsDuring(async () => void (status = await warmRequestPath(server.url, HTTP_ENTRIES, auth)))).toEqual([]);
      expect(status).toBe(200);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('does nothing on a server without the preview route', async () => {
    const server = await startLocalServer({ port: 0, entries: HTTP_ENTRIES.filter((entry) => entry.id !== 'PreviewWorkset') });
    try {
      expect(await warmRequestPath(server.url, HTTP_ENTRIES.filter((entry) => entry.id !== 'PreviewWorkset'))).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
