/** Context → stack settings: the defaults docs/deploy.md promises and the values synth refuses. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT_DEFAULTS, InvalidContextError, stackConfigFromContext, type ContextKey } from '../../infra/stack-config.ts';
import { DEFAULT_ARCHIVE_PREFIX, DEFAULT_CONTROL_PREFIX } from '../../lambdas/lib/config/settings.ts';
import { builtInCatalogue } from '../../lambdas/lib/domain/pipeline-catalogue.ts';

const configFrom = (context: Partial<Record<ContextKey, unknown>>) => stackConfigFromContext((key) => context[key]);

describe('stack settings from CDK context', () => {
  it('defaults to a retained stack that creates its own bucket with the monitor\'s default prefixes', () => {
    expect(configFrom({})).toEqual({
      stackName: 'DaylilyWorksetApi',
      ephemeral: false,
      controlBucketName: undefined,
      controlPrefix: DEFAULT_CONTROL_PREFIX,
      archivePrefix: DEFAULT_ARCHIVE_PREFIX,
      throttleRateLimit: CONTEXT_DEFAULTS.throttleRateLimit,
      throttleBurstLimit: CONTEXT_DEFAULTS.throttleBurstLimit,
      pipelineCatalogue: undefined,
      signIn: { kind: 'cognito', domainPrefix: undefined, callbackUrls: ['http://localhost:8400/callback'], machineClients: ['lims'] },
      resourceServer: 'daylily-workset-api',
      notificationSender: undefined,
    });
  });

  it("takes an operator's pipeline catalogue only once it passes the checks, and stops the synth naming every problem", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'daylily-stack-catalogue-'));
    const valid = path.join(dir, 'valid.json');
    writeFileSync(valid, JSON.stringify({ ...builtInCatalogue(), version: 'lab-2' }));
    expect(configFrom({ pipelineCatalogue: path.relative(process.cwd(), valid) }).pipelineCatalogue).toBe(valid);
    const invalid = path.join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ ...builtInCatalogue(), pipelines: [{ ...builtInCatalogue().pipelines[0], day_clone: { tag: 'main; reboot' } }] }));
    expect(() => configFrom({ pipelineCatalogue: invalid })).toThrow(/Context "pipelineCatalogue": The pipeline catalogue .* is invalid: pipelines\[0\]\.day_clone\.tag must be a git tag/);
    expect(() => configFrom({ pipelineCatalogue: path.join(dir, 'none.json') })).toThrow(/Context "pipelineCatalogue": .*ENOENT/);
  });

  it('takes a notification sender as a plain address, and refuses a display name or a wildcard (the IAM grant names it)', () => {
    expect(configFrom({ notificationSender: ' noreply@lab.example ' }).notificationSender).toBe('noreply@lab.example');
    expect(() => configFrom({ notificationSender: 'Lab <noreply@lab.example>' })).toThrow(/Context "notificationSender": "Lab <noreply@lab.example>" is not a plain email address/);
    expect(() => configFrom({ notificationSender: 'no*@lab.example' })).toThrow(InvalidContextError);
  });

  it('reads -c strings and cdk.json values alike', () => {
    expect(configFrom({ ephemeral: 'true', throttleRateLimit: '20' })).toMatchObject({ ephemeral: true, throttleRateLimit: 20 });
    expect(configFrom({ ephemeral: true, throttleBurstLimit: 40 })).toMatchObject({ ephemeral: true, throttleBurstLimit: 40 });
    expect(configFrom({ ephemeral: 'FALSE' }).ephemeral).toBe(false);
  });

  it('refuses a flag that is neither true nor false instead of guessing', () => {
    expect(() => configFrom({ ephemeral: 'yes' })).toThrow(InvalidContextError);
    expect(() => configFrom({ ephemeral: 'yes' })).toThrow(/Context "ephemeral": expected true or false/);
    expect(() => configFrom({ throttleRateLimit: '0' })).toThrow(/Context "throttleRateLimit"/);
  });

  it('normalises the control prefix the way the library does', () => {
    expect(configFrom({ controlPrefix: '/ops/active' }).controlPrefix).toBe('ops/active/');
    expect(configFrom({ controlPrefix: 'ops/active///' }).controlPrefix).toBe('ops/active/');
  });

  it('fails the synth for an invalid prefix with a message that names the context key to fix', () => {
    expect(() => configFrom({ controlPrefix: 'ops/../escape' })).toThrow(
      'Context "controlPrefix": The control prefix "ops/../escape" contains "..", "." or "//". Set -c controlPrefix to a plain S3 prefix such as daylily_monitoring/active_worksets/; see docs/configuration.md.',
    );
    expect(() => configFrom({ archivePrefix: 'a/../b' })).toThrow(
      'Context "archivePrefix": The archive prefix "a/../b" contains "..", "." or "//". Set -c archivePrefix to a plain S3 prefix such as daylily_monitoring/archived_worksets/; see docs/configuration.md.',
    );
  });

  it('refuses a control or archive prefix that contains the staged sheets\' prefix or lies inside it', () => {
    for (const [key, raw] of [['controlPrefix', 'daylily_uploads/active/'], ['archivePrefix', 'daylily_uploads']] as const) {
      expect(() => configFrom({ [key]: raw }), `${key}=${raw}`).toThrow(new RegExp(`Context "${key}": .*the upload prefix "daylily_uploads/"`));
    }
  });

  it('refuses IAM wildcards and variables in a prefix: `<bucket>/<prefix>*` must stay one folder tree', () => {
    for (const [key, raw] of [['controlPrefix', '*'], ['controlPrefix', 'ops/act?ve'], ['archivePrefix', 'arch/${aws:username}']] as const) {
      expect(() => configFrom({ [key]: raw }), `${key}=${raw}`).toThrow(new RegExp(`Context "${key}": .*wildcards or variables`));
    }
  });

  it('refuses a stack name CloudFormation would refuse, before CDK does with a stack trace', () => {
    expect(configFrom({ stackName: 'Daylily-Test-2' }).stackName).toBe('Daylily-Test-2');
    for (const name of ['my_stack', '2fast', 'a'.repeat(129)]) {
      expect(() => configFrom({ stackName: name }), name).toThrow(/Context "stackName": .* is not a CloudFormation stack name/);
    }
  });

  it('refuses the bucket root as a prefix, which would grant functions the whole bucket', () => {
    expect(() => configFrom({ controlPrefix: '/' })).toThrow(/Context "controlPrefix": must not be empty/);
  });

  it('refuses an archive prefix inside the control prefix, where the monitor would list it as active worksets', () => {
    expect(() => configFrom({ archivePrefix: `${DEFAULT_CONTROL_PREFIX}archive/` })).toThrow(/Context "archivePrefix"/);
  });

  it('takes an existing bucket by name, as s3:// URI or plain, and refuses an invalid name', () => {
    expect(configFrom({ controlBucketName: 's3://daylily-ops-control/' }).controlBucketName).toBe('daylily-ops-control');
    expect(configFrom({ controlBucketName: 'daylily-ops-control' }).controlBucketName).toBe('daylily-ops-control');
    expect(configFrom({ controlBucketName: '  ' }).controlBucketName).toBeUndefined();
    for (const name of ['Not_A_Bucket', 'my..bucket', 'my.-bucket', '192.168.1.1', 'xn--bucket', 'bucket-s3alias']) {
      expect(() => configFrom({ controlBucketName: name }), name).toThrow(new RegExp(`Context "controlBucketName": "${name.replace(/\./g, '\\.')}" is not a valid S3 bucket name`));
    }
    expect(configFrom({ controlBucketName: 'lab.control-1' }).controlBucketName).toBe('lab.control-1');
  });
});

describe('sign-in context', () => {
  it('trusts an external issuer only with an audience, and keeps the user pool\'s settings to the user pool', () => {
    expect(configFrom({ authIssuer: 'https://idp.example.org', authAudience: 'a,b', authCustomerClaim: 'lab' }).signIn).toEqual({
      kind: 'oidc',
      issuer: 'https://idp.example.org',
      audience: ['a', 'b'],
      customerClaim: 'lab',
    });
    expect(() => configFrom({ authIssuer: 'https://idp.example.org' })).toThrow(/Context "authAudience": is required/);
    expect(() => configFrom({ authIssuer: 'http://idp.example.org', authAudience: 'a' })).toThrow(/Context "authIssuer".*https/);
    expect(() => configFrom({ authIssuer: 'https://idp.example.org', authAudience: 'a', authDomainPrefix: 'labs' })).toThrow(/Context "authDomainPrefix"/);
    expect(() => configFrom({ authCustomerClaim: 'lab' })).toThrow(/Context "authCustomerClaim": applies only with authIssuer/);
  });

  it('checks the user pool\'s domain prefix, callback URLs and machine client names', () => {
    expect(configFrom({ authDomainPrefix: 'acme-labs', authCallbackUrls: 'https://portal.example.org/cb, http://localhost:3000/cb', machineClients: 'acme-lims,beta' }).signIn).toEqual({
      kind: 'cognito',
      domainPrefix: 'acme-labs',
      callbackUrls: ['https://portal.example.org/cb', 'http://localhost:3000/cb'],
      machineClients: ['acme-lims', 'beta'],
    });
    expect(configFrom({ machineClients: '' }).signIn).toMatchObject({ machineClients: [] });
    expect(() => configFrom({ authDomainPrefix: 'my-cognito-pool' })).toThrow(/Context "authDomainPrefix"/);
    expect(() => configFrom({ authCallbackUrls: 'http://portal.example.org/cb' })).toThrow(/Context "authCallbackUrls"/);
    expect(() => configFrom({ machineClients: 'Acme' })).toThrow(/Context "machineClients"/);
    expect(() => configFrom({ machineClients: 'a,a' })).toThrow(/twice/);
    expect(() => configFrom({ authResourceServer: 'api/' })).toThrow(/Context "authResourceServer"/);
  });
});
