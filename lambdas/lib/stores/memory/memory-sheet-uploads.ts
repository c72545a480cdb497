/**
 * Staged sheets in memory: read from a MemoryControlBucket (so a removal through its `delete` is
 * seen), and forms that record what they were asked to sign. What S3 enforces at upload time (the
 * policy) is the S3 adapter's; a test stages a sheet by seeding the bucket.
 */
import type { StagedSheet, StagedSheetReads, UploadForm, UploadFormRequest, UploadForms } from '../../ports/staged-sheets.ts';
import type { MemoryControlBucket } from './memory-control-bucket.ts';
import { checkFault, type FaultHook } from './faults.ts';

export class MemoryStagedSheets implements StagedSheetReads {
  /** Checked before every read (`read`, `{ bucket, key }`). */
  fail: FaultHook | undefined;

  constructor(private readonly bucket: MemoryControlBucket) {}

  async read(bucket: string, key: string, maxBytes: number): Promise<StagedSheet> {
    checkFault(this.fail, 'read', { bucket, key });
    const object = this.bucket.object(bucket, key);
    if (!object) return { kind: 'missing' };
    if (object.size > maxBytes) return { kind: 'too-large', bytes: object.size };
    return { kind: 'sheet', text: object.body, bytes: object.size };
  }
}

export class MemoryUploadForms implements UploadForms {
  readonly signed: UploadFormRequest[] = [];

  async presign(request: UploadFormRequest): Promise<UploadForm> {
    this.signed.push(request);
    return {
      url: `https://memory.invalid/${request.bucket}`,
      fields: { key: request.key, 'Content-Type': request.contentType, policy: 'memory' },
    };
  }
}
