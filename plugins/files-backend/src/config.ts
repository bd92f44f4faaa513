import { Config } from '@backstage/config';
import { resolve } from 'node:path';
import type { S3StorageOptions } from './storage/s3Storage';

export type StorageConfig =
  | { type: 'local'; directory: string }
  | { type: 's3'; s3: Omit<S3StorageOptions, 'incompleteUploadExpiryMs'> };

function readStorage(storage: Config | undefined): StorageConfig {
  const type = storage?.getOptionalString('type') ?? 'local';
  if (type === 'local') {
    return {
      type,
      directory: resolve(
        storage?.getOptionalString('directory') ?? '.data/files',
      ),
    };
  }
  if (type !== 's3') {
    throw new Error(
      `opsdeck.files.storage.type must be 'local' or 's3', not '${type}'`,
    );
  }
  const s3 = storage!.getConfig('s3');
  return {
    type,
    s3: {
      endpoint: s3.getOptionalString('endpoint'),
      bucket: s3.getString('bucket'),
      region: s3.getOptionalString('region') ?? 'us-east-1',
      forcePathStyle: s3.getOptionalBoolean('forcePathStyle') ?? false,
      accessKeyId: s3.getOptionalString('accessKeyId'),
      secretAccessKey: s3.getOptionalString('secretAccessKey'),
      partSizeBytes: s3.getOptionalNumber('partSizeBytes'),
    },
  };
}

export type FilesConfig = {
  storage: StorageConfig;
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
    storage: readStorage(storage),
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
