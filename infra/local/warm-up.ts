/**
 * Warming the local server's embedded stack. The emulators, before the server listens: A first request after a start
 * otherwise pays their cold start: DynamoDB Local's first reads and transactions (JVM class
 * loading, then its JIT) and s3rver's first puts, most of a first create (`npm run bench`). Each
 * round makes the calls a create makes, in its order and shape — a customer read, the
 * registration's transaction, four parallel puts and one more, the ready flip — through the
 * handlers' own clients (so their connections are open too), on scratch items and objects no
 * request can name: the key `#local#warm-up` ('#' is never in a customer, workset or idempotency
 * key), which no index holds (it has none of their attributes), and objects under `daylily_local/`,
 * outside every prefix the service or the monitor reads. Nothing stays: each round ends by deleting
 * them. The stream consumers start after this, at the stream's tip, so they never see these writes.
 * Only for the embedded emulators: against real AWS there is no cold start to pay here, and every
 * write would cost. Then the server's own request path, once it listens (warmRequestPath). Either
 * failing only costs the first request its speed: the server logs it and starts.
 */
import { request } from 'node:http';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tableNames, type Settings } from '../../lambdas/lib/config/settings.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';
import type { HttpEntry } from '../entry-points.ts';
import type { LocalAuth } from './http-adapter.ts';

/** Outside the control, archive and upload prefixes: no listing the service or the monitor makes sees it. */
export const WARM_UP_PREFIX = 'daylily_local/warm-up/';
/** The scratch items' key, in every table (see above). */
export const WARM_UP_KEY = '#local#warm-up';

/**
 * Rounds: DynamoDB Local needs several before its first successful transactions cost what later
 * ones do (1 round: a first create's DynamoDB calls take ~50 ms; 8: ~20; steady: ~7). Each round
 * costs ~25 ms of start-up.
 */
const ROUNDS = 8;

export async function warmEmulators(settings: Settings, rounds = ROUNDS): Promise<void> {
  const db = documentClient(settings.region);
  const s3 = s3Client(settings.region);
  const tables = tableNames(settings);
  const key = { worksets: { workset_id: WARM_UP_KEY }, customers: { customer_id: WARM_UP_KEY }, idempotency: { idempotency_key: WARM_UP_KEY } };
  const removeItems = () =>
    db.send(
      new TransactWriteCommand({
        TransactItems: (['worksets', 'customers', 'idempotency'] as const).map((table) => ({ Delete: { TableName: tables[table], Key: key[table] } })),
      }),
    );
  const objects = Array.from({ length: 5 }, (_, i) => `${WARM_UP_PREFIX}${i}`);
  // A warm-up cut short (the process killed mid-round) may have left its items: its conditions below need them gone.
  await removeItems();
  for (let round = 0; round < rounds; round += 1) {
    const at = new Date().toISOString();
    await db.send(new GetCommand({ TableName: tables.customers, Key: key.customers, ConsistentRead: true }));
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: tables.customers, Key: key.customers, UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':zero': 0, ':one': 1 } } },
          { Put: { TableName: tables.worksets, Item: { ...key.worksets, state: 'registering', state_history: [{ state: 'registering', at }] }, ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': 'workset_id' } } },
          { Put: { TableName: tables.idempotency, Item: { ...key.idempotency, expires_at: 0 }, ConditionExpression: 'attribute_not_exists(#key) OR #expires < :now', ExpressionAttributeNames: { '#key': 'idempotency_key', '#expires': 'expires_at' }, ExpressionAttributeValues: { ':now': 1 } } },
        ],
      }),
    );
    if (settings.controlBucket.ok) {
      const { bucket } = settings.controlBucket;
      const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `warm-up ${at}\n`, ContentType: 'text/plain' }));
      await Promise.all(objects.slice(0, 4).map(put));
      await put(objects[4]!);
      if (round === rounds - 1) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.map((Key) => ({ Key })), Quiet: true } }));
    }
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tables.worksets,
              Key: key.worksets,
              UpdateExpression: 'SET #state = :ready, #history = list_append(#history, :entry)',
              ConditionExpression: '#state = :registering',
              ExpressionAttributeNames: { '#state': 'state', '#history': 'state_history' },
              ExpressionAttributeValues: { ':ready': 'ready', ':registering': 'registering', ':entry': [{ state: 'ready', at }] },
            },
          },
          { Update: { TableName: tables.idempotency, Key: key.idempotency, UpdateExpression: 'SET #answer = :answer', ConditionExpression: 'attribute_exists(#key)', ExpressionAttributeNames: { '#answer': 'answer', '#key': 'idempotency_key' }, ExpressionAttributeValues: { ':answer': '{}' } } },
        ],
      }),
    );
    await removeItems();
  }
}

/** Preview reads and writes nothing, so this customer need not exist (nor does it matter if it does). */
const WARM_UP_CUSTOMER = 'local-warm-up';

/**
 * The server's request path, run once through its own socket: a preview of a small registration
 * (HTTP parsing, the token check on a JWT route, the middleware, the request schemas, the
 * registration rules and the control files' rendering — what a first create would otherwise run
 * for the first time, ~10 ms of it). No AWS call. Node's http client, not fetch, which the server
 * would otherwise never load. Answers the preview's status (200), or undefined without that route.
 */
export async function warmRequestPath(url: string, routes: readonly HttpEntry[], auth?: LocalAuth): Promise<number | undefined> {
  const preview = routes.find((route) => route.id === 'PreviewWorkset');
  if (!preview) return undefined;
  const token = auth?.mode === 'jwt' ? await auth.issuer.token({ customerId: WARM_UP_CUSTOMER }) : undefined;
  const body = JSON.stringify({
    workset_name: 'local warm-up',
    pipeline_type: 'germline',
    reference_genome: 'GRCh38',
    samples: [{ sample_id: 'S1', r1_file: 's3://local-warm-up/S1_R1.fastq.gz', r2_file: 's3://local-warm-up/S1_R2.fastq.gz' }],
  });
  return new Promise((resolve, reject) => {
    const call = request(`${url}${preview.trigger.path.replace('{customer_id}', WARM_UP_CUSTOMER)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    call.once('response', (response) => response.resume().once('end', () => resolve(response.statusCode)).once('error', reject));
    call.once('error', reject);
    call.end(body);
  });
}
