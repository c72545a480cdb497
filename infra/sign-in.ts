/**
 * Who signs the customer routes' bearer tokens, and the HTTP API authorizer that verifies them:
 * by default a Cognito user pool of the stack's own (no self sign-up, MFA, an `operators` group,
 * a resource server whose `read` and `write` scopes every JWT route requires, an app client for
 * the labs' users on the hosted UI, and one client-credentials app client per machine client);
 * or, from context, an external OIDC issuer and audience. The functions only read the claims
 * API Gateway verified (no JWT library in any bundle).
 */
import { Aws, CfnOutput, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import type { IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { OPERATORS_GROUP } from '../lambdas/lib/domain/principal.ts';
import { JWT_SCOPES } from './entry-points.ts';
import type { SignIn } from './stack-config.ts';

export interface SignInProps {
  readonly signIn: SignIn;
  /** The scopes' resource server (`<it>/read`, `<it>/write`). */
  readonly resourceServer: string;
  readonly stackName: string;
  readonly removalPolicy: RemovalPolicy;
}

const pascal = (name: string): string => name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');

export class SignInResources extends Construct {
  /** The one authorizer of every JWT route (API Gateway refuses two with one name). */
  readonly authorizer: IHttpRouteAuthorizer;
  /** The `iss` of the tokens the authorizer accepts. */
  readonly issuer: string;
  readonly userPool?: UserPool;
  readonly userClient?: UserPoolClient;
  /** Machine clients by name. */
  readonly machineClients: ReadonlyMap<string, UserPoolClient>;

  constructor(scope: Construct, id: string, props: SignInProps) {
    super(scope, id);
    const { signIn } = props;
    if (signIn.kind === 'oidc') {
      this.issuer = signIn.issuer;
      this.machineClients = new Map();
      this.authorizer = new HttpJwtAuthorizer('JwtAuthorizer', signIn.issuer, { jwtAudience: [...signIn.audience] });
      new CfnOutput(scope, 'IssuerUrl', { value: signIn.issuer, description: 'The OIDC issuer whose tokens the customer routes accept' });
      return;
    }

    const pool = new UserPool(this, 'UserPool', {
      userPoolName: `${props.stackName}-users`,
      // Operators create every user (docs/auth.md); a lab's user belongs to one customer's group.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection (compromised credentials, risky sign-ins) is enforced: users reach genomic data.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    pool.addGroup('OperatorsGroup', { groupName: OPERATORS_GROUP, description: 'Operators: may act for every customer on the customer routes.' });
    const scopes = JWT_SCOPES.map((name) => new ResourceServerScope({ scopeName: name, scopeDescription: name === 'read' ? 'Read worksets and their history' : 'Register and act on worksets' }));
    const server = pool.addResourceServer('ResourceServer', { identifier: props.resourceServer, scopes });
    const apiScopes = scopes.map((scopeOf) => OAuthScope.resourceServer(server, scopeOf));
    const domainPrefix = signIn.domainPrefix ?? Fn.join('-', [props.stackName.toLowerCase(), Aws.ACCOUNT_ID]);
    const domain = pool.addDomain('Domain', { cognitoDomain: { domainPrefix } });

    // The labs' users sign in on the hosted UI (authorization code with PKCE): only tokens from
    // the OAuth endpoints carry the resource server's scopes.
    const userClient = pool.addClient('UserClient', {
      userPoolClientName: 'lab-users',
      generateSecret: false,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: { flows: { authorizationCodeGrant: true }, scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, ...apiScopes], callbackUrls: [...signIn.callbackUrls] },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });
    const machineClients = new Map<string, UserPoolClient>();
    for (const name of signIn.machineClients) {
      // A lab's LIMS: the client-credentials grant; its client id maps to a customer in the customers table.
      machineClients.set(
        name,
        pool.addClient(`MachineClient${pascal(name)}`, {
          userPoolClientName: `machine-${name}`,
          generateSecret: true,
          oAuth: { flows: { clientCredentials: true }, scopes: apiScopes },
          accessTokenValidity: Duration.hours(1),
          enableTokenRevocation: true,
        }),
      );
    }
    this.userPool = pool;
    this.userClient = userClient;
    this.machineClients = machineClients;
    this.issuer = `https://cognito-idp.${Aws.REGION}.amazonaws.com/${pool.userPoolId}`;
    // Cognito access tokens carry no `aud`: API Gateway matches `client_id` against these.
    this.authorizer = new HttpUserPoolAuthorizer('UserPoolAuthorizer', pool, { userPoolClients: [userClient, ...machineClients.values()] });

    new CfnOutput(scope, 'UserPoolId', { value: pool.userPoolId, description: 'The user pool of the labs\' users and machine clients' });
    new CfnOutput(scope, 'IssuerUrl', { value: this.issuer, description: 'The issuer of the tokens the customer routes accept' });
    new CfnOutput(scope, 'UserClientId', { value: userClient.userPoolClientId, description: 'App client of the labs\' users (hosted UI, authorization code with PKCE)' });
    new CfnOutput(scope, 'AuthDomain', { value: domain.baseUrl(), description: 'Hosted UI and token endpoint (<AuthDomain>/oauth2/token)' });
    for (const [name, client] of machineClients) {
      new CfnOutput(scope, `MachineClientId${pascal(name)}`, { value: client.userPoolClientId, description: `Client id of the machine client "${name}" (client credentials; its secret: aws cognito-idp describe-user-pool-client)` });
    }
  }
}
