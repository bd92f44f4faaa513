import { Config } from '@backstage/config';
import { resolve } from 'node:path';
import { normaliseRoot } from './model/paths';
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

/**
 * Where distributions may write when `opsdeck.files.distribution.allowedRoots`
 * does not say: service and application trees and the temporary
 * directories, never system configuration (`/etc`), binaries or home
 * directories (`~/.ssh`). An admin widens or narrows it per environment.
 */
export const DEFAULT_ALLOWED_ROOTS = [
  '/srv',
  '/opt',
  '/data',
  '/var/www',
  '/var/tmp',
  '/tmp',
];

/**
 * `allowedRoots`: a list per catalog environment (`prod`, `staging`, …) and
 * `default` for every other host (and hosts without an environment).
 */
function readAllowedRoots(c: Config | undefined): Record<string, string[]> {
  const roots: Record<string, string[]> = { default: DEFAULT_ALLOWED_ROOTS };
  for (const environment of c?.keys() ?? []) {
    roots[environment] = c!.getStringArray(environment).map(normaliseRoot);
  }
  return roots;
}

/** The allowed target roots of a host's environment. */
export function allowedRootsFor(
  roots: Record<string, string[]>,
  environment: string | undefined,
): string[] {
  return (
    (environment && Object.hasOwn(roots, environment)
      ? roots[environment]
      : undefined) ?? roots.default
  );
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
  /** Allowed target directories per environment (`default`: the rest). */
  allowedRoots: Record<string, string[]>;
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
    allowedRoots: readAllowedRoots(dist?.getOptionalConfig('allowedRoots')),
    defaultCredential: c?.getOptionalString('defaultCredential'),
  };
}
