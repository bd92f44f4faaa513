import type { AuditorService } from '@backstage/backend-plugin-api';
import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import type { Locker, Upload } from '@tus/server';
import type { Request } from 'express';
import type { FileLibrary } from '../database/FileLibrary';
import type { FileVersion } from '../database/types';
import type { FileStorage } from '../storage/FileStorage';
import { sha256OfStream } from './hashFile';

export type UploadFinaliserOptions = {
  storage: FileStorage;
  library: FileLibrary;
  auditor: AuditorService;
  /** The same locker tus uses: one finisher per upload across replicas. */
  locker: Locker;
  /** Called after a version is created (retention). */
  onStored?(file: FileVersion): Promise<void>;
};

/** True when every byte of the upload is stored (its length is known and reached). */
export function isComplete(upload: Upload): boolean {
  return upload.size !== undefined && upload.offset === upload.size;
}

// Finishing is not given up on request: it is short next to the upload, and
// stopping halfway would only mean doing it again.
const NEVER = new AbortController().signal;

/**
 * Turns a complete upload into a library version: SHA-256 of the stored
 * bytes, then the version row. Resumable and exactly once: it is called when
 * the last byte arrives (tus' onUploadFinish) and again by any later HEAD or
 * PATCH on the upload, so a process that died between the last byte and the
 * version is finished by the client's next request, on any replica. The
 * upload's lock serializes finishers; the unique `storage_key` is the last
 * guard, so two replicas never make two versions of one upload.
 */
export function createUploadFinaliser(options: UploadFinaliserOptions) {
  const { storage, library, auditor, locker } = options;

  async function create(req: Request, upload: Upload): Promise<FileVersion> {
    const meta = upload.metadata ?? {};
    const audit = await auditor.createEvent({
      eventId: 'file-upload',
      severityLevel: 'medium',
      request: req,
      meta: { name: meta.filename, size: upload.size, uploadId: upload.id },
    });
    try {
      crashPoint('files.upload.hash');
      // Read back from the store (file or object) as a stream.
      const sha256 = await sha256OfStream(await storage.open(upload.id));
      crashPoint('files.upload.version');
      const { file, created } = await library.addVersionOnce({
        name: meta.filename!,
        size: upload.size ?? upload.offset,
        sha256,
        storageKey: upload.id,
        uploader: meta.uploader!,
        ownerGroup: meta.ownerGroup ?? undefined,
      });
      crashPoint('files.upload.stored');
      await audit.success({
        meta: {
          fileId: file.id,
          version: file.version,
          sha256,
          ...(created ? {} : { finishedElsewhere: true }),
        },
      });
      if (created) await options.onStored?.(file);
      return file;
    } catch (e) {
      await audit.fail({ error: e as Error });
      throw e;
    }
  }

  return async function finalise(
    req: Request,
    upload: Upload,
  ): Promise<FileVersion> {
    const done = await library.getByStorageKey(upload.id);
    if (done) return done;
    const lock = locker.newLock(upload.id);
    await lock.lock(NEVER, () => {});
    try {
      // another request (maybe on another replica) may have finished it
      // while this one waited for the lock
      return (
        (await library.getByStorageKey(upload.id)) ??
        (await create(req, upload))
      );
    } finally {
      await lock.unlock();
    }
  };
}
