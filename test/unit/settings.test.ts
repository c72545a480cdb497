import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTROL_PREFIX,
  flagsToEnv,
  bucketNameProblem,
  normaliseControlPrefix,
  resolveCoreSettings,
  resolveSettings,
  settingsFromEnv,
} from '../../lambdas/lib/config/settings.ts';

describe('control bucket precedence', () => {
  const env = { DAYLILY_CONTROL_BUCKET: 'env-control', DAYLILY_MONITOR_BUCKET: 'env-monitor' };

  it('takes --control-bucket over both environment variables', () => {
    const settings = resolveSettings({ controlBucket: 'flag-bucket' }, env);
    expect(settings.controlBucket).toEqual({ ok: true, bucket: 'flag-bucket', prefix: DEFAULT_CONTROL_PREFIX, source: '--control-bucket' });
  });

  it('takes DAYLILY_CONTROL_BUCKET over DAYLILY_MONITOR_BUCKET', () => {
    expect(resolveSettings({}, env).controlBucket).toMatchObject({ ok: true, bucket: 'env-control', source: 'DAYLILY_CONTROL_BUCKET' });
  });

  it('falls back to DAYLILY_MONITOR_BUCKET', () => {
    expect(resolveSettings({}, { DAYLILY_MONITOR_BUCKET: 'env-monitor' }).controlBucket).toMatchObject({
      ok: true,
      bucket: 'env-monitor',
      source: 'DAYLILY_MONITOR_BUCKET',
    });
  });

  it('treats blank values as unset', () => {
    expect(resolveSettings({ controlBucket: '  ' }, { DAYLILY_CONTROL_BUCKET: '', DAYLILY_MONITOR_BUCKET: 'm-bucket' }).controlBucket).toMatchObject({
      bucket: 'm-bucket',
    });
  });

  it('names every way to configure the bucket when none is set', () => {
    const setting = resolveSettings({}, {}).controlBucket;
    expect(setting.ok).toBe(false);
    if (setting.ok) return;
    for (const name of ['DAYLILY_CONTROL_BUCKET', 'DAYLILY_MONITOR_BUCKET', '--control-bucket', 'docs/configuration.md']) {
      expect(setting.problem).toContain(name);
    }
  });

  it('rejects a bucket name S3 would refuse, saying which rule it breaks', () => {
    const setting = resolveSettings({ controlBucket: 'Not_A_Bucket' }, {}).controlBucket;
    expect(setting).toMatchObject({ ok: false });
    expect(setting.ok ? '' : setting.problem).toContain('not a valid S3 bucket name (3-63 lowercase letters');
    expect(bucketNameProblem('my..bucket')).toContain('two dots');
    expect(bucketNameProblem('a.-b')).toContain('two dots');
    expect(bucketNameProblem('10.0.0.1')).toContain('IP address');
    expect(bucketNameProblem('xn--lab')).toContain('reserves');
    expect(bucketNameProblem('lab--ol-s3')).toContain('reserves');
    expect(bucketNameProblem('lab.control-1')).toBeUndefined();
  });

  it('accepts an s3:// URI for the bucket', () => {
    expect(resolveSettings({ controlBucket: 's3://my-bucket/' }, {}).controlBucket).toMatchObject({ bucket: 'my-bucket' });
  });
});

describe('control prefix', () => {
  it.each([
    ['worksets', 'worksets/'],
    ['/worksets/', 'worksets/'],
    ['//a/b///', 'a/b/'],
    ['daylily_monitoring/active_worksets/', 'daylily_monitoring/active_worksets/'],
    ['', ''],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseControlPrefix(raw)).toEqual({ ok: true, prefix: expected });
  });

  it.each(['a/../b', '..', 'a//b', 'a/./b', 'a\nb', 'tab\there', 'x\u0000', '*', 'runs/?/', 'a/${aws:username}'])('rejects %j as a configuration error', (raw) => {
    const result = normaliseControlPrefix(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain('docs/configuration.md');
  });

  it('takes --control-prefix over DAYLILY_CONTROL_PREFIX over the default', () => {
    const env = { DAYLILY_CONTROL_BUCKET: 'bucket-a', DAYLILY_CONTROL_PREFIX: 'from-env' };
    expect(resolveSettings({ controlPrefix: 'from-flag' }, env).controlBucket).toMatchObject({ prefix: 'from-flag/' });
    expect(resolveSettings({}, env).controlBucket).toMatchObject({ prefix: 'from-env/' });
    expect(resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a' }).controlBucket).toMatchObject({ prefix: DEFAULT_CONTROL_PREFIX });
  });

  it('names the archive prefix variable when the archive prefix is bad', () => {
    const settings = resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a', DAYLILY_ARCHIVE_PREFIX: 'x/../y' });
    expect(settings.archivePrefix.ok).toBe(false);
    const problem = settings.archivePrefix.ok ? '' : settings.archivePrefix.problem;
    expect(problem).toContain('archive prefix');
    expect(problem).toContain('DAYLILY_ARCHIVE_PREFIX');
    expect(problem).not.toContain('DAYLILY_CONTROL_PREFIX');
  });

  it('warns about a lease duration it cannot use, naming the variable, and keeps the default', () => {
    for (const raw of ['an hour', '0', '1.5', String(12 * 3600 + 1)]) {
      const settings = resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a', DAYLILY_LEASE_SECONDS: raw });
      expect(settings.defaultLeaseSeconds, raw).toBe(3600);
      expect(settings.warnings, raw).toEqual([expect.stringContaining(`DAYLILY_LEASE_SECONDS=${JSON.stringify(raw)}`)]);
      expect(settings.warnings[0]).toContain('docs/configuration.md');
    }
    const valid = resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a', DAYLILY_LEASE_SECONDS: '120' });
    expect(valid).toMatchObject({ defaultLeaseSeconds: 120, warnings: [] });
    expect(resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a' }).warnings).toEqual([]);
  });

  it('warns about an unusable archive prefix too', () => {
    const settings = resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a', DAYLILY_ARCHIVE_PREFIX: 'x/../y' });
    expect(settings.warnings).toEqual([expect.stringContaining('DAYLILY_ARCHIVE_PREFIX')]);
  });

  it('makes a bad prefix a bucket configuration problem', () => {
    const setting = resolveSettings({ controlPrefix: '../escape' }, { DAYLILY_CONTROL_BUCKET: 'bucket-a' }).controlBucket;
    expect(setting.ok).toBe(false);
  });
});

describe('core settings', () => {
  it('are every setting but the archive prefix and the lease default, resolved alike, with nothing to warn about', () => {
    const envs = [
      {},
      { DAYLILY_CONTROL_BUCKET: 'lab-control', DAYLILY_CONTROL_PREFIX: 'active/', DAYLILY_WORKSET_TABLE: 'w', DAYLILY_AUTH: 'off', DAYLILY_PIPELINE_CATALOGUE: '/opt/c.json' },
      // Unusable archive prefix and lease: warnings of the full settings only.
      { DAYLILY_CONTROL_BUCKET: 'lab-control', DAYLILY_ARCHIVE_PREFIX: '../x', DAYLILY_LEASE_SECONDS: 'soon' },
    ];
    for (const env of envs) {
      const { archivePrefix: _archive, defaultLeaseSeconds: _lease, warnings: _warnings, ...full } = resolveSettings({ region: 'eu-west-1' }, env);
      const core = resolveCoreSettings({ region: 'eu-west-1' }, env);
      expect(core).toEqual(full);
      expect(core).not.toHaveProperty('warnings');
    }
    expect(resolveSettings({}, envs[2]!).warnings).toHaveLength(2);
  });
});

describe('tables and region', () => {
  it('uses flag > environment > default for every table and the region', () => {
    const env = {
      DAYLILY_WORKSET_TABLE: 'env-worksets',
      DAYLILY_CUSTOMER_TABLE: 'env-customers',
      DAYLILY_IDEMPOTENCY_TABLE: 'env-idem',
      AWS_REGION: 'eu-west-1',
    };
    expect(resolveSettings({ tableName: 'f-w', customersTable: 'f-c', idempotencyTable: 'f-i', region: 'us-east-2' }, env)).toMatchObject({
      worksetTable: 'f-w',
      customerTable: 'f-c',
      idempotencyTable: 'f-i',
      region: 'us-east-2',
    });
    expect(resolveSettings({}, env)).toMatchObject({ worksetTable: 'env-worksets', customerTable: 'env-customers', idempotencyTable: 'env-idem', region: 'eu-west-1' });
    expect(resolveSettings({}, {})).toMatchObject({
      worksetTable: 'daylily-worksets',
      customerTable: 'daylily-customers',
      idempotencyTable: 'daylily-idempotency',
      region: 'us-west-2',
    });
  });

  it('hands flags to handlers through the environment with the same result', () => {
    const flags = { controlBucket: 'flag-bucket', controlPrefix: 'p', tableName: 't' };
    const env = { DAYLILY_MONITOR_BUCKET: 'monitor', DAYLILY_CONTROL_PREFIX: 'other' };
    const viaEnv = settingsFromEnv({ ...env, ...flagsToEnv(flags) });
    const direct = resolveSettings(flags, env);
    expect({ ...viaEnv, controlBucket: { ...viaEnv.controlBucket, source: null } }).toEqual({
      ...direct,
      controlBucket: { ...direct.controlBucket, source: null },
    });
  });
});

describe('authorization of the customer routes', () => {
  it('is required unless DAYLILY_AUTH=off says otherwise (only the local server sets it)', () => {
    expect(resolveSettings({}, {}).auth).toEqual({ required: true, customerClaim: undefined });
    expect(resolveSettings({}, { DAYLILY_AUTH: 'off' }).auth.required).toBe(false);
    expect(resolveSettings({}, { DAYLILY_AUTH: ' OFF ' }).auth.required).toBe(false);
    // Anything else keeps it on: a typo must not open the routes.
    for (const value of ['', 'no', 'false', '0', 'jwt']) expect(resolveSettings({}, { DAYLILY_AUTH: value }).auth.required, value).toBe(true);
    expect(resolveSettings({}, { DAYLILY_AUTH_CUSTOMER_CLAIM: 'lab_id' }).auth.customerClaim).toBe('lab_id');
  });
});

describe('staged sample sheets', () => {
  it('go to the control bucket under the upload prefix, capped at 64 MiB unless DAYLILY_UPLOAD_MAX_BYTES says otherwise', () => {
    expect(resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a' }).uploads).toEqual({ ok: true, bucket: 'bucket-a', prefix: 'daylily_uploads/', maxBytes: 64 * 1024 * 1024, expiresSeconds: 900 });
    expect(resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a', DAYLILY_UPLOAD_MAX_BYTES: '1048576' })).toMatchObject({ uploads: { ok: true, maxBytes: 1048576 }, warnings: [] });
  });

  it('warn about a cap they cannot use, naming the variable, and keep the default', () => {
    for (const raw of ['64MiB', '0', '1.5', String(128 * 1024 * 1024 + 1)]) {
      const settings = resolveSettings({}, { DAYLILY_CONTROL_BUCKET: 'bucket-a', DAYLILY_UPLOAD_MAX_BYTES: raw });
      expect(settings.uploads, raw).toMatchObject({ ok: true, maxBytes: 64 * 1024 * 1024 });
      expect(settings.warnings, raw).toEqual([expect.stringContaining(`DAYLILY_UPLOAD_MAX_BYTES=${JSON.stringify(raw)}`)]);
    }
  });

  it('cannot be used, with a warning, when the control prefix contains the upload prefix or lies inside it', () => {
    for (const controlPrefix of ['/', 'daylily_uploads/active/']) {
      const settings = resolveSettings({ controlPrefix }, { DAYLILY_CONTROL_BUCKET: 'bucket-a' });
      expect(settings.controlBucket.ok, controlPrefix).toBe(true);
      expect(settings.uploads, controlPrefix).toEqual({ ok: false, problem: expect.stringContaining('The upload prefix "daylily_uploads/"') });
      expect(settings.warnings, controlPrefix).toContainEqual(expect.stringContaining('sample sheets cannot be uploaded'));
    }
    expect(resolveSettings({}, {}).uploads.ok).toBe(false);
  });
});
