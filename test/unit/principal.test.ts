/**
 * The principal of a request, from what API Gateway's authorizer delivers, and the names it
 * leaves in the history.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { actorOf, isMachineToken, tokenCustomers, type Principal } from '../../lambdas/lib/domain/principal.ts';
import { claimList, principalOf } from '../../lambdas/lib/http/authorizer-principal.ts';
import { cachedCustomerSettings, cachedMachineClients, TTL_MS } from '../../lambdas/lib/stores/customer-settings-cache.ts';
import { withCustomerDefaults } from '../../lambdas/lib/domain/customer.ts';

const event = (authorizer: unknown): APIGatewayProxyEventV2 => ({ requestContext: { authorizer } }) as unknown as APIGatewayProxyEventV2;
const token = (principal: Principal) => (principal.kind === 'token' ? principal.token : undefined);

describe('claims as API Gateway delivers them', () => {
  it('reads array claims from "[a b]" strings, real arrays and single values', () => {
    expect(claimList('[customer:lab-1 operators]')).toEqual(['customer:lab-1', 'operators']);
    expect(claimList('[]')).toEqual([]);
    expect(claimList(['a', 'b'])).toEqual(['a', 'b']);
    expect(claimList('customer:lab-1')).toEqual(['customer:lab-1']);
    expect(claimList(undefined)).toEqual([]);
  });

  it('makes a Cognito user token a principal with its groups and username', () => {
    const principal = principalOf(event({ jwt: { claims: { sub: 'u-1', username: 'alice', client_id: 'app', 'cognito:groups': '[customer:lab-1]' }, scopes: null } }), {});
    expect(token(principal)).toMatchObject({ subject: 'u-1', name: 'alice', clientId: 'app', groups: ['customer:lab-1'] });
    expect(tokenCustomers(token(principal)!)).toEqual(['lab-1']);
    expect(isMachineToken(token(principal)!)).toBe(false);
    expect(actorOf(principal, 'fallback')).toBe('user:alice');
  });

  it('makes a client-credentials token a machine client (its subject is its client id)', () => {
    const principal = principalOf(event({ jwt: { claims: { sub: '3abc', client_id: '3abc', scope: 'daylily-workset-api/read' } } }), {});
    expect(isMachineToken(token(principal)!)).toBe(true);
    expect(actorOf(principal, 'fallback')).toBe('client:3abc');
  });

  it('reads an external issuer\'s customer claim, and its "groups" claim', () => {
    const principal = principalOf(event({ jwt: { claims: { sub: 'u-2', lab_id: 'lab-9', groups: '[operators]' } } }), { customerClaim: 'lab_id' });
    expect(tokenCustomers(token(principal)!)).toEqual(['lab-9']);
    expect(actorOf(principal, 'fallback')).toBe('operator:u-2');
  });

  it('takes the IAM caller of a SigV4 route, and nobody where no authorizer vouched', () => {
    expect(principalOf(event({ iam: { userArn: 'arn:aws:sts::1:assumed-role/ops/alice' } }), {})).toEqual({ kind: 'iam', arn: 'arn:aws:sts::1:assumed-role/ops/alice' });
    expect(principalOf(event(undefined), {})).toEqual({ kind: 'anonymous' });
    expect(principalOf(event({ jwt: { claims: {} } }), {})).toEqual({ kind: 'anonymous' });
    expect(actorOf({ kind: 'anonymous' }, 'customer:lab-1')).toBe('customer:lab-1');
  });
});

describe('the per-container cache of customer settings', () => {
  it('answers from memory within its TTL, reads again after it, and never keeps a miss', async () => {
    let now = 0;
    let reads = 0;
    let stored: ReturnType<typeof withCustomerDefaults> | undefined;
    const cached = cachedCustomerSettings({ getCustomer: async () => ((reads += 1), stored) }, () => now);
    expect(await cached.getCustomer('lab-1')).toBeUndefined();
    stored = withCustomerDefaults({ customer_id: 'lab-1' });
    // A customer onboarded a moment ago is seen at once.
    expect(await cached.getCustomer('lab-1')).toEqual(stored);
    stored = { ...stored, max_active_worksets: 1 };
    now += TTL_MS - 1;
    expect((await cached.getCustomer('lab-1'))?.max_active_worksets).toBe(5);
    now += 2;
    expect((await cached.getCustomer('lab-1'))?.max_active_worksets).toBe(1);
    expect(reads).toBe(3);

    let owner: string | undefined = 'lab-1';
    const clients = cachedMachineClients({ customerOfClient: async () => owner }, () => now);
    expect(await clients.customerOfClient('c-1')).toBe('lab-1');
    owner = undefined;
    now += TTL_MS + 1;
    // A client removed stops working once the entry expired.
    expect(await clients.customerOfClient('c-1')).toBeUndefined();
  });
});
