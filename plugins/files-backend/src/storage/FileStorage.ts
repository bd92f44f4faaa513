import type { DataStore } from '@tus/utils';
import type { Readable } from 'node:stream';

/**
 * Where the bytes of uploads and library versions live: a local directory or
 * an S3-compatible bucket. tus writes through `datastore`; everything else
 * reads and deletes through the other methods, always as streams.
 */
export interface FileStorage {
  /** `local` or `s3`, for logs and docs. */
  readonly kind: 'local' | 's3';
  /** The tus data store uploads are written to. */
  readonly datastore: DataStore;
  /** A stream of a stored version's bytes from `start` (default 0); NotFoundError when they are missing. */
  open(storageKey: string, start?: number): Promise<Readable>;
  /** Removes a stored version's bytes (and what the upload left beside them); missing is fine. */
  remove(storageKey: string): Promise<void>;
  /** Removes unfinished uploads older than the expiry; resolves with how many. */
  removeExpired(): Promise<number>;
}
