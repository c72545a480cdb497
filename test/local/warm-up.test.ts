/**
 * The local server's warm-up of its embedded emulators (infra/local/warm-up.ts): it runs through
 * the handlers' clients against the real emulators, makes a create's calls, and leaves nothing
 * behind — no item, no object — even after a warm-up cut short.
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../lambdas/lib/config/settings.ts';
import { startLocalServer } from '../../infra/local/server.ts';
import { WARM_UP_KEY, WARM_UP_PREFIX, warmEmulators } from '../../infra/local/warm-up.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
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
});
