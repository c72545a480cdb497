/**
 * Warming the embedded emulators before the local server listens. A first request after a start
 * otherwise pays their cold start: DynamoDB Local's first transactions (JVM class loading and JIT)
 * and s3rver's first put, about 120 ms of a first create's 150 (`npm run bench`). Through the
 * handlers' own clients, so their connections are open too. Writes nothing that stays: one
 * transaction whose condition fails (no item is written), and one object put then deleted outside
 * every prefix the service or the monitor reads. Only for the embedded emulators: against real AWS
 * there is no cold start to pay here, and a refused transaction still costs a write.
 */
import { PutObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tableNames, type Settings } from '../../lambdas/lib/config/settings.ts';
import { documentClient } from '../../lambdas/lib/stores/dynamodb/dynamodb-client.ts';
import { s3Client } from '../../lambdas/lib/stores/s3/s3-client.ts';

/** Outside the control, archive and upload prefixes: no listing the service or the monitor makes sees it. */
export const WARM_UP_KEY = 'daylily_local/warm-up';
/** A key no workset record can have ('#' is never in a workset id): the condition below always fails. */
const WARM_UP_ID = '#local#warm-up';

export async function warmEmulators(settings: Settings, rounds = 3): Promise<void> {
  const db = documentClient(settings.region);
  const s3 = s3Client(settings.region);
  const table = tableNames(settings).worksets;
  for (let round = 0; round < rounds; round += 1) {
    await db
      .send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: table, Item: { workset_id: WARM_UP_ID }, ConditionExpression: 'attribute_exists(workset_id)' } }],
        }),
      )
      .then(
        () => {
          throw new Error(`the warm-up transaction wrote ${WARM_UP_ID}: its condition must fail`);
        },
        (error: Error) => {
          if (error.name !== 'TransactionCanceledException') throw error;
        },
      );
    if (settings.controlBucket.ok) {
      const object = { Bucket: settings.controlBucket.bucket, Key: WARM_UP_KEY };
      await s3.send(new PutObjectCommand({ ...object, Body: 'warm-up' }));
      await s3.send(new DeleteObjectCommand(object));
    }
  }
}
