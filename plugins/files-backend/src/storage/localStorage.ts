import { NotFoundError } from '@backstage/errors';
import { FileStore } from '@tus/file-store';
import { createReadStream, mkdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStorage } from './FileStorage';

/** Stored files in a local directory (`@tus/file-store`): one file per version. */
export function createLocalStorage(options: {
  directory: string;
  incompleteUploadExpiryMs: number;
}): FileStorage {
  const { directory } = options;
  mkdirSync(directory, { recursive: true });
  const datastore = new FileStore({
    directory,
    expirationPeriodInMilliseconds: options.incompleteUploadExpiryMs,
  });
  return {
    kind: 'local',
    datastore,
    async open(storageKey, start = 0) {
      const path = join(directory, storageKey);
      await access(path).catch(() => {
        throw new NotFoundError(`Stored bytes ${storageKey} are missing`);
      });
      return createReadStream(path, { highWaterMark: 256 * 1024, start });
    },
    async remove(storageKey) {
      await datastore.remove(storageKey).catch(() => undefined);
    },
    removeExpired: () => datastore.deleteExpired(),
  };
}
