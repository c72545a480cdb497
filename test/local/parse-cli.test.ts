import { describe, expect, it } from 'vitest';
import { chooseAuth, chooseBackend, parseCli, UsageError } from '../../infra/local/cli.ts';

describe('the local server command line', () => {
  it("takes the original CLI's flags and hands the settings ones on as setting flags", () => {
    const options = parseCli([
      '--control-bucket', 'ctl-bucket',
      '--control-prefix', 'p/',
      '--table-name', 'w',
      '--customers-table', 'c',
      '--idempotency-table', 'i',
      '--region', 'eu-west-1',
      '--profile', 'lab',
      '--port', '9000',
      '--verbose',
    ]);
    expect(options.flags).toEqual({
      controlBucket: 'ctl-bucket',
      controlPrefix: 'p/',
      tableName: 'w',
      customersTable: 'c',
      idempotencyTable: 'i',
      region: 'eu-west-1',
    });
    expect(options).toMatchObject({ profile: 'lab', port: 9000, verbose: true, host: '127.0.0.1' });
  });

  it('defaults to port 8001 on 127.0.0.1 with the embedded backend', () => {
    expect(parseCli([])).toMatchObject({ port: 8001, host: '127.0.0.1', aws: false, dataDir: '.daylily-local' });
    expect(chooseBackend(false, {})).toBe('embedded');
    expect(chooseBackend(true, {})).toBe('aws');
    expect(chooseBackend(true, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1' })).toBe('endpoints');
  });

  it('hands the pipeline catalogue on as an absolute path, read where the handlers run', () => {
    expect(parseCli(['--pipeline-catalogue', 'ops/catalogue.json']).flags.pipelineCatalogue).toBe(`${process.cwd()}/ops/catalogue.json`);
    expect(parseCli([]).flags).not.toHaveProperty('pipelineCatalogue');
  });

  it('leaves authorization off on the emulators and on against real AWS unless --auth says otherwise', () => {
    expect(parseCli([]).auth).toBeUndefined();
    expect(chooseAuth('embedded', undefined)).toBe('off');
    expect(chooseAuth('endpoints', undefined)).toBe('off');
    expect(chooseAuth('aws', undefined)).toBe('jwt');
    expect(chooseAuth('aws', parseCli(['--auth', 'off']).auth)).toBe('off');
    expect(chooseAuth('embedded', parseCli(['--auth', 'jwt']).auth)).toBe('jwt');
    expect(() => parseCli(['--auth', 'maybe'])).toThrow(UsageError);
  });

  it('refuses unknown flags and bad ports with a usage error', () => {
    expect(() => parseCli(['--bogus'])).toThrow(UsageError);
    expect(() => parseCli(['--port', 'eighty'])).toThrow(UsageError);
  });
});
