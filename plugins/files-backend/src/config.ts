import { Config } from '@backstage/config';
import { resolve } from 'node:path';

export type FilesConfig = {
  storageDirectory: string;
  maxUploadBytes: number;
  incompleteUploadExpiryMs: number;
  keepVersions: number;
  defaultConcurrency: number;
  maxConcurrency: number;
  attempts: number;
  commandTimeoutMs: number;
  defaultCredential?: string;
};

/** Reads `opsdeck.files` with its defaults. */
export function readFilesConfig(root: Config): FilesConfig {
  const c = root.getOptionalConfig('opsdeck.files');
  const storage = c?.getOptionalConfig('storage');
  const dist = c?.getOptionalConfig('distribution');
  return {
    storageDirectory: resolve(
      storage?.getOptionalString('directory') ?? '.data/files',
    ),
    maxUploadBytes:
      storage?.getOptionalNumber('maxUploadBytes') ?? 20 * 1024 ** 3,
    incompleteUploadExpiryMs:
      (storage?.getOptionalNumber('incompleteUploadExpiryHours') ?? 24) *
      3_600_000,
    keepVersions: c?.getOptionalNumber('keepVersions') ?? 0,
    defaultConcurrency: dist?.getOptionalNumber('defaultConcurrency') ?? 10,
    maxConcurrency: dist?.getOptionalNumber('maxConcurrency') ?? 100,
    attempts: Math.max(1, dist?.getOptionalNumber('attempts') ?? 2),
    commandTimeoutMs: dist?.getOptionalNumber('commandTimeoutMs') ?? 120_000,
    defaultCredential: c?.getOptionalString('defaultCredential'),
  };
}
