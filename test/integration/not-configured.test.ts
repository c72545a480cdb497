import { describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { useLocalAws } from '../support/local-aws.ts';

const aws = useLocalAws('not-configured');
// This file's process runs without a control bucket, as a misconfigured deployment would.
delete process.env.DAYLILY_CONTROL_BUCKET;
delete process.env.DAYLILY_MONITOR_BUCKET;

describe('without a control bucket', () => {
  it('reports it on the health route', async () => {
    const response = await call('Health');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ status: 'healthy', control_bucket_configured: false });
    expect(response.json.configuration_problem).toContain('DAYLILY_CONTROL_BUCKET');
  });

  it('answers registration with a 503 problem that says how to fix it, and writes nothing', async () => {
    await aws.seedCustomer('lab-a');
    const response = await call('CreateWorkset', {
      path: { customer_id: 'lab-a' },
      body: { workset_name: 'test-workset', pipeline_type: 'snv', reference_genome: 'GRCh38' },
    });
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toBe('application/problem+json');
    for (const name of ['DAYLILY_CONTROL_BUCKET', 'DAYLILY_MONITOR_BUCKET', '--control-bucket', 'docs/configuration.md']) {
      expect(response.json.detail).toContain(name);
    }
    expect(response.json.title).toBe('Service not configured');
    // Retrying a misconfiguration every second helps nobody.
    expect(response.headers['retry-after']).toBeUndefined();
    expect((await call('ListCustomerWorksets', { path: { customer_id: 'lab-a' } })).json.worksets).toEqual([]);
  });

  it('still serves reads that do not need the bucket', async () => {
    const response = await call('ListCustomerWorksets', { path: { customer_id: 'lab-a' } });
    expect(response.status).toBe(200);
  });
});
