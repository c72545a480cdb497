import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../lambdas/lib/config/settings.ts';
import { ROOMY_SETTINGS, useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('local-aws harness');

describe('useLocalAws', () => {
  it('points the settings a handler resolves at this file’s own tables and bucket', () => {
    const settings = settingsFromEnv();
    expect(settings.worksetTable).toBe(aws.tables.worksets);
    expect(settings.customerTable).toBe(aws.tables.customers);
    expect(settings.idempotencyTable).toBe(aws.tables.idempotency);
    expect(settings.controlBucket).toMatchObject({ ok: true, bucket: aws.bucket, prefix: aws.controlPrefix });
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_REQUEST_CHECKSUM_CALCULATION).toBe('WHEN_REQUIRED');
  });

  it('seeds customers into the customers table', async () => {
    await aws.seedCustomer('cust-1', { email: 'ops@example.com' });
    const { Item } = await aws.ddb.send(new GetCommand({ TableName: aws.tables.customers, Key: { customer_id: 'cust-1' } }));
    expect(Item).toMatchObject({ customer_id: 'cust-1', customer_name: 'Customer cust-1', email: 'ops@example.com', ...ROOMY_SETTINGS, directory: 'customers' });
  });

  it('lists and reads what was written to the control bucket', async () => {
    const key = `${aws.controlPrefix}ws-1/daylily.ready`;
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: 'ready\n' }));
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: 'elsewhere.txt', Body: 'x' }));
    expect(await aws.listKeys(aws.controlPrefix)).toEqual([key]);
    expect(await aws.getText(key)).toBe('ready\n');
    expect(await aws.getText(`${aws.controlPrefix}missing`)).toBeUndefined();
  });
});
