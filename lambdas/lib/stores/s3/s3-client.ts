/**
 * The process's S3 client, created once per cold start. With a custom endpoint (the SDK's
 * AWS_ENDPOINT_URL[_S3], e.g. the local S3 server) requests are path-style, since local servers
 * do not resolve bucket subdomains. Lean per call (lean-clients.ts). Checksums only when required: bodies are small strings, and
 * S3-compatible servers mishandle the default flexible checksums.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dryRun, LEAN_CLIENT_OPTIONS, leanClient } from '../lean-clients.ts';

let client: S3Client | undefined;

export function s3Client(region: string): S3Client {
  const customEndpoint = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
  client ??= leanClient(
    new S3Client({
      ...LEAN_CLIENT_OPTIONS,
      region,
      forcePathStyle: customEndpoint,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
  return client;
}

/** A dry run of an object put (nothing is sent): see lean-clients.ts. */
export function primeS3Client(region: string, bucket: string): Promise<void> {
  return dryRun(s3Client(region), new PutObjectCommand({ Bucket: bucket, Key: 'dry-run', Body: 'dry-run' }));
}
