/**
 * Worksets for lifecycle tests, seeded straight into DynamoDB (with their queue counters, so
 * stats stay exact) and, optionally, a control folder holding the state's sentinel. Registration
 * through the API is covered elsewhere and takes ~10 requests per workset.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { WorksetRecord } from '../../lambdas/lib/domain/workset.ts';
import { monitorReading, sentinelOf, type MonitorReading } from '../../lambdas/lib/domain/sentinel-rules.ts';
import { SENTINELS } from '../../lambdas/lib/domain/sentinels.ts';
import { moveDelta } from '../../lambdas/lib/domain/queue-counters.ts';
import { slotDelta } from '../../lambdas/lib/domain/customer.ts';
import { counterUpdate as customerCounters } from '../../lambdas/lib/stores/dynamodb/customer-counters.ts';
import { counterUpdate } from '../../lambdas/lib/stores/dynamodb/expression.ts';
import { toItem } from '../../lambdas/lib/stores/dynamodb/queue-index.ts';
import type { LocalAws } from './local-aws.ts';
import { seededFiles, seededRecord, type SeedOptions } from './workset-records.ts';

export type { SeedOptions } from './workset-records.ts';

export const newId = (slug = 'ws'): string => `${slug}-${randomBytes(4).toString('hex')}`;

/** What the fixtures need of a test file's AWS state (`npm run fuzz` gives the same from its own stack). */
export type FixtureAws = Pick<LocalAws, 'ddb' | 's3' | 'tables' | 'bucket' | 'controlPrefix' | 'listKeys' | 'seedCustomer'>;

export function worksetFixtures(aws: FixtureAws) {
  const customers = new Map<string, Promise<unknown>>();
  /** The workset's customer exists (with roomy settings) before its first workset is seeded. */
  const ensureCustomer = (customerId: string): Promise<unknown> => {
    let seeded = customers.get(customerId);
    if (!seeded) {
      seeded = aws.seedCustomer(customerId, {}, { onlyIfMissing: true });
      customers.set(customerId, seeded);
    }
    return seeded;
  };

  async function seed(options: SeedOptions = {}): Promise<WorksetRecord> {
    const record = seededRecord(options, { bucket: aws.bucket, controlPrefix: aws.controlPrefix, worksetId: newId(), now: new Date().toISOString() });
    const { state } = record;
    await ensureCustomer(record.customer_id);
    // Counted like a registration: the queue counters, and the customer's slot when the state holds one.
    const slot = slotDelta(null, state);
    await aws.ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: aws.tables.worksets, Item: toItem(record) } },
          counterUpdate(aws.tables.worksets, moveDelta(null, state))!,
          ...(slot > 0 ? [customerCounters(aws.tables.customers, record.customer_id, 1, Number.MAX_SAFE_INTEGER)] : []),
        ],
      }),
    );
    await Promise.all(
      seededFiles(options, record).map((name) => aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: `${record.control_prefix}${name}`, Body: name }))),
    );
    return record;
  }

  async function record(worksetId: string): Promise<WorksetRecord | undefined> {
    const result = await aws.ddb.send(new GetCommand({ TableName: aws.tables.worksets, Key: { workset_id: worksetId }, ConsistentRead: true }));
    return result.Item as WorksetRecord | undefined;
  }

  /** The sentinel names in a folder. */
  async function sentinels(folder: string): Promise<string[]> {
    const keys = await aws.listKeys(folder);
    return keys.map((key) => key.slice(folder.length)).filter((name) => name.startsWith('daylily.'));
  }

  /** What the monitor would read in the record's folder, and what it should read. */
  async function monitorAgrees(worksetId: string): Promise<{ actual: MonitorReading; expected: MonitorReading; lock: boolean; leased: boolean }> {
    const current = (await record(worksetId))!;
    const names = await sentinels(current.control_prefix);
    return {
      actual: monitorReading(names),
      expected: monitorReading([sentinelOf(current)].filter((name): name is NonNullable<typeof name> => name !== undefined)),
      lock: names.includes(SENTINELS.lock),
      leased: current.lock_owner !== undefined,
    };
  }

  return { seed, record, sentinels, monitorAgrees };
}
