/**
 * Every lab route (the customer routes and the pipeline catalogue) × every kind of caller, on the
 * local server with `--auth jwt`: real tokens
 * of the local development issuer, verified as API Gateway's JWT authorizer would (signature,
 * algorithm, issuer, expiry, audience, the route's scope), the bad ones built with jose directly.
 * A caller that may act for the customer is served (on the catalogue, any verified caller with the
 * scope); every other one is refused with its status, and no refused request reveals or changes
 * anything of the customer's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ENTRIES, jwtScopeName, type HttpEntry } from '../../infra/entry-points.ts';
import { JWKS_PATH, LOCAL_AUDIENCE, LOCAL_ISSUER, localIssuer, type LocalIssuer } from '../../infra/local/local-issuer.ts';
import { startLocalServer, type LocalServer } from '../../infra/local/server.ts';
import { useLocalAws } from '../support/local-aws.ts';
import { newId, worksetFixtures } from '../support/worksets.ts';

const aws = useLocalAws('auth-matrix');
const { seed, record } = worksetFixtures(aws);
const LAB_ROUTES = HTTP_ENTRIES.filter((route) => route.trigger.auth === 'jwt');
/** A customer route checks the token against the path's customer; the catalogue's routes have none. */
const forCustomer = (route: HttpEntry): boolean => route.trigger.path.includes('{customer_id}');

let dataDir: string;
let issuer: LocalIssuer;
let server: LocalServer;
const OURS = newId('lab-ours');
const THEIRS = newId('lab-theirs');

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'daylily-auth-'));
  issuer = await localIssuer(dataDir);
  server = await startLocalServer({ port: 0, entries: HTTP_ENTRIES, auth: { mode: 'jwt', issuer } });
  await Promise.all([aws.seedCustomer(OURS, { machine_clients: ['ours-lims'] }), aws.seedCustomer(THEIRS)]);
  await aws.ddb.send(new (await import('@aws-sdk/lib-dynamodb')).PutCommand({ TableName: aws.tables.customers, Item: { customer_id: 'client#ours-lims', client_of: OURS } }));
});
afterAll(async () => {
  await server?.close(1_000);
  await rm(dataDir, { recursive: true, force: true });
});

/** The state a workset must be in for the route's own caller to succeed. */
const STATE_FOR: Readonly<Record<string, 'ready' | 'error' | 'complete' | 'archived'>> = {
  RetryWorkset: 'error',
  ArchiveWorkset: 'complete',
  RestoreWorkset: 'archived',
};
const SUCCESS: Readonly<Record<string, number>> = { CreateWorkset: 201, CreateUpload: 201 };
const WORKSET_BODY = { workset_name: 'matrix', pipeline_type: 'snv', reference_genome: 'GRCh38' };
const BODY: Readonly<Record<string, object>> = { CreateWorkset: WORKSET_BODY, PreviewWorkset: WORKSET_BODY, EstimateCost: { pipeline_type: 'snv', sample_count: 2 } };

/** A forged token: signed by a key this issuer never published (tampering is checked separately). */
async function foreignToken(claims: JWTPayload, options: { issuer?: string; expiresIn?: number } = {}): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'not-ours' })
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresIn ?? 600))
    .sign(privateKey);
}

/** A token this issuer signed, with `claims` (for the cases its `token()` would never mint). */
async function signedToken(claims: JWTPayload, options: { issuer?: string; expiresAt?: number } = {}): Promise<string> {
  const { importJWK } = await import('jose');
  const { readFile } = await import('node:fs/promises');
  const keys = JSON.parse(await readFile(join(dataDir, 'auth', 'signing-key.json'), 'utf8')) as { privateJwk: Record<string, string> };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: keys.privateJwk.kid! })
    .setIssuer(options.issuer ?? LOCAL_ISSUER)
    .setSubject('local-user:someone')
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
    .sign(await importJWK(keys.privateJwk, 'RS256'));
}

const userClaims = (customerId: string, scope = 'daylily-workset-api/read daylily-workset-api/write'): JWTPayload => ({
  client_id: LOCAL_AUDIENCE,
  username: `${customerId}-user`,
  token_use: 'access',
  scope,
  'cognito:groups': [`customer:${customerId}`],
});

interface Case {
  readonly name: string;
  readonly token: (route: HttpEntry) => Promise<string | undefined>;
  /** The status, or 'served' for a caller the route serves. */
  readonly expect: number | 'served';
}

const CASES: readonly Case[] = [
  { name: 'own token', token: () => issuer.token({ customerId: OURS }), expect: 'served' },
  { name: "own machine client's token", token: () => issuer.token({ clientId: 'ours-lims' }), expect: 'served' },
  { name: 'operator', token: () => issuer.token({ operator: true }), expect: 'served' },
  { name: "another customer's token", token: () => issuer.token({ customerId: THEIRS }), expect: 404 },
  { name: 'no token', token: async () => undefined, expect: 401 },
  { name: 'expired', token: () => issuer.token({ customerId: OURS, expiresInSeconds: -60 }), expect: 401 },
  { name: 'wrong issuer', token: () => signedToken(userClaims(OURS), { issuer: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_Other' }), expect: 401 },
  { name: 'wrong audience', token: () => signedToken({ ...userClaims(OURS), client_id: 'someone-elses-app' }), expect: 401 },
  { name: 'wrong aud claim', token: () => signedToken({ ...userClaims(OURS), aud: 'another-api' }), expect: 401 },
  { name: 'missing scope', token: (route) => issuer.token({ customerId: OURS, scopes: [jwtScopeName(route.trigger).endsWith('/read') ? 'write' : 'read'] }), expect: 403 },
  {
    name: 'alg none',
    token: async () => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...userClaims(OURS), iss: LOCAL_ISSUER, sub: 'x', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    },
    expect: 401,
  },
  {
    name: 'tampered',
    token: async () => {
      // A real token of another customer, its payload rewritten to name ours.
      const [header, , signature] = (await issuer.token({ customerId: THEIRS })).split('.');
      const payload = Buffer.from(JSON.stringify({ ...userClaims(OURS), iss: LOCAL_ISSUER, sub: 'x', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    expect: 401,
  },
  { name: 'a foreign key', token: () => foreignToken(userClaims(OURS)), expect: 401 },
];

async function request(route: HttpEntry, customerId: string, worksetId: string | undefined, token: string | undefined) {
  const path = route.trigger.path.replace('{customer_id}', customerId).replace('{workset_id}', worksetId ?? '').replace('{pipeline_id}', 'snv');
  const body = route.trigger.method === 'GET' ? undefined : JSON.stringify(BODY[route.id] ?? {});
  const response = await fetch(`${server.url}${path}`, {
    method: route.trigger.method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('the local development issuer', () => {
  it('publishes its public key at /.well-known/jwks.json, and no private part', async () => {
    const response = await fetch(`${server.url}${JWKS_PATH}`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]!.d).toBeUndefined();
  });
});

describe.each(LAB_ROUTES.map((route) => [route.id, route] as const))('%s', (_id, route) => {
  // Another customer's token names no customer of the catalogue's: it is served there like any other.
  // The preview reads nothing of the customers table, so it cannot tell a machine client's customer: it refuses it (403).
  const cases = CASES.map((entry): Case => {
    if (!forCustomer(route) && entry.expect === 404) return { ...entry, expect: 'served' };
    const readsCustomers = route.access.tables?.customers !== undefined || (route.access.items ?? []).some((grant) => grant.table === 'customers');
    if (!readsCustomers && forCustomer(route) && entry.name === "own machine client's token") return { ...entry, expect: 403 };
    return entry;
  });
  it.each(cases.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const usesWorkset = route.trigger.path.includes('{workset_id}');
    const ours = usesWorkset ? await seed({ customerId: OURS, state: STATE_FOR[route.id] ?? 'ready', extra: { workset_name: 'confidential ours' } }) : undefined;
    const before = ours && (await record(ours.workset_id));
    const answer = await request(route, OURS, ours?.workset_id, await entry.token(route));

    if (entry.expect === 'served') {
      expect(answer.status, answer.text).toBe(SUCCESS[route.id] ?? 200);
      return;
    }
    expect(answer.status, answer.text).toBe(entry.expect);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    if (entry.expect === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    if (entry.expect === 403 && entry.name === 'missing scope') expect(answer.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    // No leak: nothing of the customer's in the answer, and nothing changed.
    expect(answer.text).not.toContain('confidential');
    expect(answer.text).not.toContain('"state"');
    if (ours) expect(await record(ours.workset_id)).toEqual(before);
    if (entry.expect === 404) {
      expect(JSON.parse(answer.text).detail).toBe(usesWorkset ? `Workset ${ours!.workset_id} not found.` : `Customer ${OURS} not found.`);
      // The very answer a workset (or a customer) that does not exist gets from the route itself.
      const missing = usesWorkset
        ? await request(route, OURS, 'never-existed-0000abcd', await issuer.token({ customerId: OURS }))
        : route.id === 'CreateWorkset'
          ? await request(route, newId('lab-never'), undefined, await issuer.token({ operator: true }))
          : undefined;
      if (missing) {
        const problem = (text: string) => ({ ...(JSON.parse(text) as Record<string, unknown>), instance: undefined, detail: undefined });
        expect(missing.status).toBe(404);
        expect(problem(answer.text)).toEqual(problem(missing.text));
      }
    }
  });
});

describe('what the handler sees of a verified token', () => {
  it('names the caller in the history: the user, the machine client, the operator', async () => {
    const route = LAB_ROUTES.find((candidate) => candidate.id === 'CreateWorkset')!;
    const actors = [];
    for (const token of [await issuer.token({ customerId: OURS, username: 'pi-carol' }), await issuer.token({ clientId: 'ours-lims' }), await issuer.token({ operator: true, username: 'ops-dan' })]) {
      const answer = await request(route, OURS, undefined, token);
      actors.push(JSON.parse(answer.text).state_history[0].actor);
    }
    expect(actors).toEqual(['user:pi-carol', 'client:ours-lims', 'operator:ops-dan']);
  });
});
