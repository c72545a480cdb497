/**
 * Staged sheets on S3, through the process's S3 client: reading (registration, preview) and the
 * upload route's forms, in separate modules so the registering bundle carries no presigner.
 */
import { randomBytes } from 'node:crypto';
import { currentCoreSettings } from '../config/current.ts';
import { newUploadId } from '../domain/sheet-upload.ts';
import type { StagedSheetDeps } from '../flows/deps.ts';
import { s3Client } from '../stores/s3/s3-client.ts';
import { s3StagedSheets } from '../stores/s3/s3-staged-sheets.ts';

export function stagedSheetDeps(): StagedSheetDeps {
  const settings = currentCoreSettings();
  return { stagedSheets: s3StagedSheets(s3Client(settings.region)), uploads: settings.uploads };
}

/** 16 random bytes as the domain spells an upload id (22 characters of UPLOAD_ID_PATTERN). */
export const randomUploadId = (): string => newUploadId(randomBytes(16));
