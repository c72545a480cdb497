/**
 * The control bucket: the folders the cluster-side monitor reads. Adapters translate their SDK's
 * failures into StorageUnavailableError (errors.ts).
 */
import type { ControlObject } from '../domain/control-folder.ts';

export interface StoredObject {
  readonly key: string;
  readonly size: number;
}

/** Writing objects: registration and the sentinel syncs need no more (their bundles carry no more). */
export interface ControlObjectWrites {
  put(bucket: string, object: ControlObject): Promise<void>;
  /** Deletes the given keys; missing keys are not an error. */
  delete(bucket: string, keys: readonly string[]): Promise<void>;
}

/** Reading and copying whole folders: what moves, hard deletes, the settle pass and the reconciler add. */
export interface ControlFolderCopies {
  /** Every object whose key starts with `prefix` (pass a folder prefix ending in `/`). */
  list(bucket: string, prefix: string): Promise<StoredObject[]>;
  /**
   * One page of the objects under `prefix`, in key order, after `startAfter` (a key): at most
   * `maxKeys` (S3 gives at most 1,000). `more` says whether keys follow the page.
   */
  listPage(bucket: string, prefix: string, options: { readonly startAfter?: string; readonly maxKeys: number }): Promise<{ readonly objects: StoredObject[]; readonly more: boolean }>;
  /** Server-side copy inside the bucket (multipart above the single-request limit). */
  copy(bucket: string, from: StoredObject, toKey: string): Promise<void>;
}

export interface ControlBucketStore extends ControlObjectWrites, ControlFolderCopies {}
