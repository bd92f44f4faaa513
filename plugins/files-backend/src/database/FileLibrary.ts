import type { FileVersion } from './types';

/** The file library's versions. */
export interface FileLibrary {
  /**
   * Adds a version of `name` (version = highest so far + 1) and returns it.
   */
  addVersion(
    file: Omit<FileVersion, 'id' | 'version' | 'createdAt'>,
  ): Promise<FileVersion>;
  /**
   * Like addVersion, and says whether this call created the version: a
   * second call for the same `storageKey` (another replica finishing the
   * same upload) gets the existing version with `created: false`.
   */
  addVersionOnce(
    file: Omit<FileVersion, 'id' | 'version' | 'createdAt'>,
  ): Promise<{ file: FileVersion; created: boolean }>;
  get(id: string): Promise<FileVersion | undefined>;
  getByStorageKey(storageKey: string): Promise<FileVersion | undefined>;
  /** Every version, newest first; optionally of one name or with a name substring. */
  list(filter?: { name?: string; q?: string }): Promise<FileVersion[]>;
  /** Versions of `name` older than the `keep` newest ones. */
  olderVersions(name: string, keep: number): Promise<FileVersion[]>;
  delete(id: string): Promise<boolean>;
}
