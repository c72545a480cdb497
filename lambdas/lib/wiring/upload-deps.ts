/** The wiring of the upload route: the presigner over the process's S3 client, and the upload settings. */
import { currentSettings } from '../config/current.ts';
import type { UploadDeps } from '../flows/deps.ts';
import { s3Client } from '../stores/s3/s3-client.ts';
import { s3UploadForms } from '../stores/s3/s3-upload-forms.ts';
import { randomUploadId } from './sheet-upload-store.ts';

let deps: UploadDeps | undefined;

export function uploadDeps(): UploadDeps {
  if (!deps) {
    const settings = currentSettings();
    deps = { forms: s3UploadForms(s3Client(settings.region)), uploads: settings.uploads, now: () => new Date(), uploadId: randomUploadId };
  }
  return deps;
}
