/**
 * Reading a staged sample sheet from S3: GetObject's body streamed and decoded chunk by chunk, so
 * an object over the cap is refused after at most `maxBytes` (its announced length first), never
 * buffered whole; a dependency failure is a StorageUnavailableError.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StagedSheet, StagedSheetReads } from '../../ports/staged-sheets.ts';
import { translated } from '../aws-errors.ts';

type Body = AsyncIterable<Uint8Array> & { destroy?: () => void };

const isMissing = (error: unknown): boolean => {
  const shaped = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return shaped?.name === 'NoSuchKey' || shaped?.$metadata?.httpStatusCode === 404;
};

export function s3StagedSheets(s3: S3Client): StagedSheetReads {
  return {
    async read(bucket: string, key: string, maxBytes: number): Promise<StagedSheet> {
      let body: Body;
      let announced: number;
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        body = object.Body as unknown as Body;
        announced = object.ContentLength ?? 0;
      } catch (error) {
        if (isMissing(error)) return { kind: 'missing' };
        throw translated(error);
      }
      if (announced > maxBytes) {
        body.destroy?.();
        return { kind: 'too-large', bytes: announced };
      }
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const parts: string[] = [];
      let bytes = 0;
      try {
        for await (const chunk of body) {
          bytes += chunk.byteLength;
          if (bytes > maxBytes) {
            body.destroy?.();
            return { kind: 'too-large', bytes };
          }
          parts.push(decoder.decode(chunk, { stream: true }));
        }
        parts.push(decoder.decode());
      } catch (error) {
        if (error instanceof TypeError) return { kind: 'not-text' };
        throw translated(error);
      }
      return { kind: 'sheet', text: parts.join(''), bytes };
    },
  };
}
