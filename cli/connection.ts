/**
 * Where the CLI sends its requests and how it proves who it is: flags first, then the
 * environment (DAYLILY_API_URL, DAYLILY_TOKEN, DAYLILY_CUSTOMER, AWS_REGION, AWS_PROFILE).
 *
 * A bearer token is sent over HTTPS only, or to this machine (the local server): a token sent in
 * clear text to another host would be anyone's on the way.
 */
import { UsageError } from './exit-codes.ts';

/** The local server's address (`npm start`). */
export const DEFAULT_API_URL = 'http://127.0.0.1:8001';

export type Credentials =
  | { readonly kind: 'token'; readonly token: string }
  /** SigV4 with AWS credentials: the operator routes. */
  | { readonly kind: 'aws'; readonly region: string; readonly profile?: string }
  /** No proof: the local server with `--auth off` (every deployed lab route answers 401). */
  | { readonly kind: 'none' };

export interface Connection {
  readonly apiUrl: URL;
  readonly credentials: Credentials;
  readonly customerId?: string;
}

export interface ConnectionFlags {
  readonly apiUrl?: string;
  readonly token?: string;
  readonly customer?: string;
  readonly aws?: boolean;
  readonly region?: string;
  readonly profile?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const given = (value: string | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

function apiUrlOf(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--api-url ${JSON.stringify(raw)} is not a URL (e.g. https://abc123.execute-api.us-west-2.amazonaws.com).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--api-url must be an http(s) URL, not ${url.protocol}`);
  if (url.search || url.hash || url.username || url.password) throw new UsageError('--api-url must be a base URL without a query, fragment or user name.');
  // Paths are appended to it: `https://host/stage` + `/api/pipelines`.
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

export function resolveConnection(flags: ConnectionFlags, env: Env): Connection {
  const apiUrl = apiUrlOf(given(flags.apiUrl) ?? given(env.DAYLILY_API_URL) ?? DEFAULT_API_URL);
  const token = given(flags.token) ?? given(env.DAYLILY_TOKEN);
  const customerId = given(flags.customer) ?? given(env.DAYLILY_CUSTOMER);
  if (flags.aws && given(flags.token)) throw new UsageError('Give either --token (the lab routes) or --aws (the operator routes), not both.');
  let credentials: Credentials;
  if (flags.aws) {
    const region = given(flags.region) ?? given(env.AWS_REGION) ?? given(env.AWS_DEFAULT_REGION);
    if (!region) throw new UsageError('--aws needs the API\'s region: --region or AWS_REGION.');
    const profile = given(flags.profile) ?? given(env.AWS_PROFILE);
    credentials = { kind: 'aws', region, ...(profile ? { profile } : {}) };
  } else if (token) {
    if (apiUrl.protocol !== 'https:' && !LOOPBACK.has(apiUrl.hostname)) {
      throw new UsageError(`A token is sent over HTTPS only (or to this machine): ${apiUrl.origin} would carry it in clear text.`);
    }
    credentials = { kind: 'token', token };
  } else credentials = { kind: 'none' };
  return { apiUrl, credentials, ...(customerId ? { customerId } : {}) };
}

/** The customer a lab route acts for, or a usage error saying how to name it. */
export function requireCustomer(connection: Connection): string {
  if (!connection.customerId) throw new UsageError('Name the customer: --customer ID or DAYLILY_CUSTOMER.');
  return connection.customerId;
}
