/**
 * The local server's warm-up of its embedded emulators (infra/local/warm-up.ts): it runs through
 * the handlers' clients against the real emulators and leaves nothing behind — no item, no object,
 * no state change a stream consumer would see.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../lambdas/lib/config/settings.ts';
import { startLocalServer } from '../../infra/local/server.ts';
import { WARM_UP_KEY, warmEmulators } from '../../infra/local/warm-up.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('local warm-up');

describe('warming the embedded emulators', () => {
  it('sends a refused transaction and a put then delete, and leaves no item and no object', async () => {
    await warmEmulators(settingsFromEnv());
    const { Items } = await aws.ddb.send(new ScanCommand({ TableName: aws.tables.worksets, ConsistentRead: true }));
    expect(Items).toEqual([]);
    expect((await aws.ddb.send(new GetCommand({ TableName: aws.tables.worksets, Key: { workset_id: '#local#warm-up' } }))).Item).toBeUndefined();
    expect(await aws.listKeys('')).not.toContain(WARM_UP_KEY);
    expect(WARM_UP_KEY.startsWith(aws.controlPrefix)).toBe(false);
  });

  it('runs before the server listens when asked, and the server then answers', async () => {
    const server = await startLocalServer({ port: 0, entries: [], warmUp: true });
    try {
      expect((await fetch(`${server.url}/no-such-route`)).status).toBe(404);
      expect(await aws.listKeys('')).not.toContain(WARM_UP_KEY);
    } finally {
      await server.close();
    }
  });
});
