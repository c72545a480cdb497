/**
 * SigV4 for the operator routes (API Gateway's IAM authorization, service `execute-api`): the
 * request is signed with the caller's AWS credentials, from the environment's access keys when
 * set, otherwise the SDK's default chain (profile, SSO, container or instance role).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

/** What the signer hashes with: Node's own SHA-256 (the SDK's hash packages are not dependencies here). */
class Sha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

export interface SigningOptions {
  readonly region: string;
  readonly profile?: string;
  /** Where the access keys are read from first (the CLI's environment). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The environment's access keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), when both are set. */
function environmentKeys(env: SigningOptions['env']): AwsCredentialIdentity | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

export interface UnsignedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type RequestSigner = (request: UnsignedRequest) => Promise<Record<string, string>>;

/** Signs a request for API Gateway (execute-api); answers the headers to send it with. */
export function sigv4Signer(options: SigningOptions): RequestSigner {
  const keys = environmentKeys(options.env);
  const credentials: AwsCredentialIdentityProvider = keys ? async () => keys : defaultProvider(options.profile ? { profile: options.profile } : {});
  const signer = new SignatureV4({ service: 'execute-api', region: options.region, credentials, sha256: Sha256 });
  return async (request) => {
    const { url } = request;
    const signed = await signer.sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      // SigV4 signs the host header; fetch sends the same one.
      headers: { ...request.headers, host: url.host },
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    const { host: _host, ...headers } = signed.headers;
    return headers;
  };
}
