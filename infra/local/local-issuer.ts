/**
 * The local development issuer: what Cognito and API Gateway's JWT authorizer do for the deployed
 * stack, for the local server with `--auth jwt`. An RS256 key pair lives in the data directory
 * (generated on first use, private key readable by its owner only); `token` mints access tokens
 * shaped like Cognito's (`cognito:groups`, `client_id`, `scope`, `token_use`, no `aud` for a
 * user; a machine client's subject is its client id), the server publishes the public key at
 * `/.well-known/jwks.json` and verifies each customer route's token with jose as API Gateway
 * would: signature, algorithm, issuer, expiry, `aud` or `client_id`, and the route's scope. A
 * verified token's claims reach the handler as API Gateway delivers them (every value a string,
 * an array as `[a b]`). Nothing here is bundled into a function: the functions only read claims.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';
import { CUSTOMER_GROUP_PREFIX, OPERATORS_GROUP } from '../../lambdas/lib/domain/principal.ts';
import { DEFAULT_RESOURCE_SERVER, JWT_SCOPES, type JwtScope } from '../entry-points.ts';

/** The `iss` of every local token. */
export const LOCAL_ISSUER = 'urn:daylily-workset-api:local-issuer';
/** The audience the local server accepts (in `aud`, or as `client_id` as Cognito's access tokens carry it). */
export const LOCAL_AUDIENCE = 'daylily-local';
/** The local user app client (Cognito's user tokens name their client in `client_id`). */
export const LOCAL_USER_CLIENT = LOCAL_AUDIENCE;
export const JWKS_PATH = '/.well-known/jwks.json';
const ALGORITHM = 'RS256';

export interface TokenRequest {
  /** A user of this customer (its `customer:<id>` group). */
  readonly customerId?: string;
  /** A member of the operators group. */
  readonly operator?: boolean;
  /** A machine client's token (client credentials): its subject is this client id. */
  readonly clientId?: string;
  readonly username?: string;
  readonly scopes?: readonly JwtScope[];
  /** Lifetime in seconds (default 3600). */
  readonly expiresInSeconds?: number;
}

export type Verification =
  | { readonly ok: true; readonly claims: Record<string, string>; readonly scopes: string[] }
  | { readonly ok: false; readonly status: 401 | 403; readonly error: 'invalid_token' | 'insufficient_scope'; readonly detail: string };

export interface LocalIssuer {
  readonly issuer: string;
  readonly audience: string;
  /** The public keys (what `/.well-known/jwks.json` answers). */
  readonly jwks: JSONWebKeySet;
  token(request: TokenRequest): Promise<string>;
  /** API Gateway's JWT authorizer: the bearer token of `authorization`, for a route requiring `scope`. */
  verify(authorization: string | undefined, scope: string): Promise<Verification>;
}

interface KeyFiles {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/** The key pair under `<dataDir>/auth/`, generated (and written owner-only) when missing. */
async function keyPair(dataDir: string): Promise<KeyFiles> {
  const dir = join(dataDir, 'auth');
  const file = join(dir, 'signing-key.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as KeyFiles;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = randomUUID();
  const keys: KeyFiles = {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' },
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // `wx`: two processes generating at once must not leave each other's halves.
  try {
    await writeFile(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return JSON.parse(await readFile(file, 'utf8')) as KeyFiles;
    throw error;
  }
  await chmod(file, 0o600);
  return keys;
}

/** Claims as API Gateway's JWT authorizer hands them to a function: strings, arrays as `[a b]`. */
export function apiGatewayClaims(payload: JWTPayload): Record<string, string> {
  const render = (value: unknown): string =>
    Array.isArray(value) ? `[${value.map(render).join(' ')}]` : value !== null && typeof value === 'object' ? `map[${Object.entries(value).map(([key, item]) => `${key}:${render(item)}`).join(' ')}]` : String(value);
  return Object.fromEntries(Object.entries(payload).map(([name, value]) => [name, render(value)]));
}

export const scopeNames = (scopes: readonly JwtScope[] = JWT_SCOPES): string => scopes.map((scope) => `${DEFAULT_RESOURCE_SERVER}/${scope}`).join(' ');

export async function localIssuer(dataDir: string): Promise<LocalIssuer> {
  const keys = await keyPair(dataDir);
  const signingKey = await importJWK(keys.privateJwk, ALGORITHM);
  const jwks: JSONWebKeySet = { keys: [keys.publicJwk] };
  const keySet = createLocalJWKSet(jwks);

  return {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    jwks,

    async token(request) {
      const machine = request.clientId !== undefined;
      const groups = [...(request.operator ? [OPERATORS_GROUP] : []), ...(request.customerId ? [`${CUSTOMER_GROUP_PREFIX}${request.customerId}`] : [])];
      const username = request.username ?? (request.operator ? 'local-operator' : `${request.customerId ?? 'nobody'}-user`);
      const claims: JWTPayload = machine
        ? // Client credentials: no user; Cognito's carry no aud, other issuers' do (both are accepted).
          { client_id: request.clientId, aud: LOCAL_AUDIENCE, token_use: 'access', scope: scopeNames(request.scopes) }
        : { client_id: LOCAL_USER_CLIENT, username, token_use: 'access', scope: scopeNames(request.scopes), ...(groups.length > 0 ? { 'cognito:groups': groups } : {}) };
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: keys.publicJwk.kid!, typ: 'JWT' })
        .setIssuer(LOCAL_ISSUER)
        .setSubject(machine ? request.clientId! : `local-user:${username}`)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(Math.floor(Date.now() / 1000) + (request.expiresInSeconds ?? 3600))
        .sign(signingKey);
    },

    async verify(authorization, scope) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (!token) return { ok: false, status: 401, error: 'invalid_token', detail: 'A bearer token is required (Authorization: Bearer <access token>).' };
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet, { issuer: LOCAL_ISSUER, algorithms: [ALGORITHM] }));
      } catch (error) {
        return { ok: false, status: 401, error: 'invalid_token', detail: `The token was refused: ${(error as Error).message}` };
      }
      // API Gateway matches `aud`, or, in a token without one (Cognito's access tokens), `client_id`.
      const audiences = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const forThisApi = audiences.length > 0 ? audiences.includes(LOCAL_AUDIENCE) : payload.client_id === LOCAL_AUDIENCE;
      if (!forThisApi) return { ok: false, status: 401, error: 'invalid_token', detail: 'The token is not for this API (aud / client_id).' };
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter((item) => item !== '') : [];
      if (!scopes.includes(scope)) return { ok: false, status: 403, error: 'insufficient_scope', detail: `This route requires the scope ${scope}.` };
      return { ok: true, claims: apiGatewayClaims(payload), scopes };
    },
  };
}
