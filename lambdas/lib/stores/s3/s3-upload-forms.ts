/**
 * Presigned POST forms for staging sample sheets (@aws-sdk/s3-presigned-post): the policy names
 * the exact key, the content type and the size range, and expires; S3 refuses any other upload.
 * Signed with the function's own credentials, so its role must allow s3:PutObject on the key.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { UploadForm, UploadFormRequest, UploadForms } from '../../ports/staged-sheets.ts';
import { sdkCall } from '../aws-errors.ts';

export function s3UploadForms(s3: S3Client): UploadForms {
  return {
    async presign(request: UploadFormRequest): Promise<UploadForm> {
      // createPresignedPost adds the bucket and key conditions (`{ key }`: an exact match) itself.
      const { url, fields } = await sdkCall(() =>
        createPresignedPost(s3, {
          Bucket: request.bucket,
          Key: request.key,
          Fields: { 'Content-Type': request.contentType },
          Conditions: [
            ['content-length-range', 1, request.maxBytes],
            ['eq', '$Content-Type', request.contentType],
          ],
          Expires: request.expiresSeconds,
        }),
      );
      return { url, fields };
    },
  };
}
