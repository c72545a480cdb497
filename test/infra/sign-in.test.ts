/**
 * Sign-in in the stack: by default a Cognito user pool the stack creates (no self sign-up, MFA,
 * an operators group, a resource server whose scopes every JWT route requires, an app client for
 * users and one client-credentials client per machine client), or, from context, an external
 * OIDC issuer; either way one JWT authorizer, the outputs a lab needs, and cdk-nag clean.
 */
import { describe, expect, it } from 'vitest';
import { HTTP_ENTRIES, jwtScopeName } from '../../infra/entry-points.ts';
import { ENV } from '../../lambdas/lib/config/settings.ts';
import { nagFindings, synthesize } from './synth.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;
const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
/** A scope as the template writes it: `openid`, or the resource server's identifier (its Ref) joined with `/read`. */
const scopeNames = (scopes: unknown[], serverId: string, identifier: string): string[] =>
  scopes
    .map((scope) => (typeof scope === 'string' ? scope : (scope as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : (part as { Ref: string }).Ref === serverId ? identifier : '?')).join('')))
    .sort();

describe('the default sign-in: a Cognito user pool', () => {
  const { template, nag } = synthesize();
  const resources = template.toJSON().Resources as Resources;
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
  const [poolId, pool] = ofType(resources, 'AWS::Cognito::UserPool')[0]!;
  const clients: Array<Record<string, any> & { id: string }> = ofType(resources, 'AWS::Cognito::UserPoolClient').map(([id, client]) => ({ id, ...client.Properties }));

  it('lets nobody sign up, requires MFA and a strong password, enforces threat protection, and is retained', () => {
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('has an operators group and a resource server with exactly the read and write scopes', () => {
    expect(ofType(resources, 'AWS::Cognito::UserPoolGroup').map(([, group]) => group.Properties.GroupName)).toEqual(['operators']);
    const [[, server]] = ofType(resources, 'AWS::Cognito::UserPoolResourceServer') as [[string, Resources[string]]];
    expect(server.Properties).toMatchObject({ Identifier: 'daylily-workset-api', UserPoolId: { Ref: poolId } });
    expect(server.Properties.Scopes.map((scope: { ScopeName: string }) => scope.ScopeName)).toEqual(['read', 'write']);
  });

  it('gives users an authorization-code client without a secret, and each machine client the client-credentials grant with one', () => {
    const user = clients.find((client) => client.ClientName === 'lab-users')!;
    expect(user).toMatchObject({ GenerateSecret: false, AllowedOAuthFlows: ['code'], AllowedOAuthFlowsUserPoolClient: true, PreventUserExistenceErrors: 'ENABLED' });
    const [[serverId]] = ofType(resources, 'AWS::Cognito::UserPoolResourceServer') as unknown as [[string]];
    expect(scopeNames(user.AllowedOAuthScopes, serverId, 'daylily-workset-api')).toEqual(['daylily-workset-api/read', 'daylily-workset-api/write', 'email', 'openid']);
    const machine = clients.find((client) => client.ClientName === 'machine-lims')!;
    expect(machine).toMatchObject({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'] });
    expect(scopeNames(machine.AllowedOAuthScopes, serverId, 'daylily-workset-api')).toEqual(['daylily-workset-api/read', 'daylily-workset-api/write']);
    expect(clients).toHaveLength(2);
  });

  it('verifies tokens with one authorizer on the pool\'s issuer, accepting the clients\' ids (Cognito access tokens have no aud)', () => {
    const authorizers = ofType(resources, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [, authorizer] = authorizers[0]!;
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain(poolId);
    expect(authorizer.Properties.JwtConfiguration.Audience.map((ref: { Ref: string }) => ref.Ref).sort()).toEqual(clients.map((client) => client.id).sort());
    const routes = ofType(resources, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    for (const entry of HTTP_ENTRIES.filter((candidate) => candidate.trigger.auth === 'jwt')) {
      expect(routes.find((route) => route.RouteKey === `${entry.trigger.method} ${entry.trigger.path}`)!.AuthorizationScopes).toEqual([jwtScopeName(entry.trigger)]);
    }
  });

  it('outputs the user pool, the client ids, the issuer and the hosted UI domain', () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['UserPoolId', 'UserClientId', 'MachineClientIdLims', 'IssuerUrl', 'AuthDomain']));
    expect(JSON.stringify(outputs.IssuerUrl!.Value)).toContain('cognito-idp.');
  });

  it('is cdk-nag clean without acknowledging anything about the pool', () => {
    expect(nagFindings(nag)).toEqual([]);
  });
});

describe('sign-in from context', () => {
  it('one client-credentials client per name in machineClients, each with its output', () => {
    const { template } = synthesize({ machineClients: 'acme-lims,beta-lims' });
    const names = ofType(template.toJSON().Resources as Resources, 'AWS::Cognito::UserPoolClient').map(([, client]) => client.Properties.ClientName);
    expect(names.sort()).toEqual(['lab-users', 'machine-acme-lims', 'machine-beta-lims']);
    expect(Object.keys(template.toJSON().Outputs)).toEqual(expect.arrayContaining(['MachineClientIdAcmeLims', 'MachineClientIdBetaLims']));
  });

  it('trusts an external OIDC issuer instead: no user pool, its issuer and audience, its customer claim passed to the functions', () => {
    const { template, nag } = synthesize({ authIssuer: 'https://login.example.org/realms/labs/', authAudience: 'daylily-api, lims-client', authCustomerClaim: 'lab_id' });
    const resources = template.toJSON().Resources as Resources;
    expect(ofType(resources, 'AWS::Cognito::UserPool')).toEqual([]);
    const [[, authorizer]] = ofType(resources, 'AWS::ApiGatewayV2::Authorizer') as [[string, Resources[string]]];
    expect(authorizer.Properties.JwtConfiguration).toEqual({ Issuer: 'https://login.example.org/realms/labs', Audience: ['daylily-api', 'lims-client'] });
    for (const [, fn] of ofType(resources, 'AWS::Lambda::Function')) {
      if (fn.Properties.Environment) expect(fn.Properties.Environment.Variables[ENV.authCustomerClaim]).toBe('lab_id');
    }
    expect((template.toJSON().Outputs as Record<string, { Value: unknown }>).IssuerUrl!.Value).toBe('https://login.example.org/realms/labs');
    expect(nagFindings(nag)).toEqual([]);
  });
});
