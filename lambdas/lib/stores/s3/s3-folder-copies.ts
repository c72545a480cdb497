/**
 * Listing and copying control folders on S3 (archive, restore, hard delete, the settle pass, the
 * reconciler's scan); a
 * dependency failure is a StorageUnavailableError. Its own module: registration's bundle needs none
 * of these commands.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ControlFolderCopies, StoredObject } from '../../ports/control-bucket.ts';
import { sdkCall } from '../aws-errors.ts';

/** CopyObject copies at most 5 GB; larger objects are copied in parts. */
const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;
const COPY_PART_SIZE = 512 * 1024 ** 2;

/** CopySource is `bucket/key` with the key URL-encoded (slashes kept). */
const copySource = (bucket: string, key: string): string => `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

export function s3FolderCopies(s3: S3Client): ControlFolderCopies {
  return {
    async list(bucket: string, prefix: string): Promise<StoredObject[]> {
      const objects: StoredObject[] = [];
      let token: string | undefined;
      do {
        const page = await sdkCall(() => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })));
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) objects.push({ key: object.Key, size: object.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return objects;
    },

    async listPage(bucket, prefix, options) {
      // ListObjects (version 1): its Marker is ListObjectsV2's StartAfter, a key to list after,
      // and it is what s3rver can page (its V2 continuation tokens need a cipher Node 20 lacks).
      const page = await sdkCall(() =>
        s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, MaxKeys: options.maxKeys, ...(options.startAfter ? { Marker: options.startAfter } : {}) })),
      );
      const objects = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [{ key: object.Key, size: object.Size ?? 0 }]));
      return { objects, more: page.IsTruncated === true };
    },

    async copy(bucket: string, from: StoredObject, toKey: string): Promise<void> {
      const source = copySource(bucket, from.key);
      if (from.size <= SINGLE_COPY_LIMIT) {
        await sdkCall(() => s3.send(new CopyObjectCommand({ Bucket: bucket, Key: toKey, CopySource: source })));
        return;
      }
      const { UploadId } = await sdkCall(() => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: toKey })));
      try {
        const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
        for (let start = 0, part = 1; start < from.size; start += COPY_PART_SIZE, part += 1) {
          const end = Math.min(start + COPY_PART_SIZE, from.size) - 1;
          const result = await sdkCall(() =>
            s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: toKey, UploadId, PartNumber: part, CopySource: source, CopySourceRange: `bytes=${start}-${end}` })),
          );
          parts.push({ ETag: result.CopyPartResult?.ETag, PartNumber: part });
        }
        await sdkCall(() => s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: toKey, UploadId, MultipartUpload: { Parts: parts } })));
      } catch (error) {
        await sdkCall(() => s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: toKey, UploadId }))).catch(() => undefined);
        throw error;
      }
    },
  };
}
