import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { filesFileUploadPermission } from '@opsdeck/plugin-opsdeck-common';
import { Server, type Locker, type Upload } from '@tus/server';
import express, { type Request } from 'express';
import { randomBytes } from 'node:crypto';
import type { FileLibrary } from '../database/FileLibrary';
import type { FileVersion } from '../database/types';
import { validateFileName } from '../model/paths';
import type { FileStorage } from '../storage/FileStorage';
import { principalRef } from '@opsdeck/plugin-opsdeck-node';
import { sha256OfStream } from './hashFile';

/** Who is uploading: a user or service ref (opsdeck-node's one form). */
export { principalRef };

export type TusUploadsOptions = {
  storage: FileStorage;
  maxUploadBytes: number;
  library: FileLibrary;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** Checks that the uploader may give the file to `ownerGroup`. */
  checkOwnerGroup(
    credentials: BackstageCredentials,
    ownerGroup: string | undefined,
  ): Promise<string | undefined>;
  /**
   * Serializes requests on one upload; shared by every replica (the plugin
   * passes a DatabaseUploadLocker). Unset: tus' in-process memory locker.
   */
  locker?: Locker;
  /** Called after a version is stored (retention). */
  onStored?(file: FileVersion): Promise<void>;
};

/** A tus error the server turns into a response. */
function tusError(status: number, message: string) {
  return { status_code: status, body: `${message}\n` };
}

/**
 * The tus endpoint (`@tus/server` with the storage's data store: `@tus/file-store` or `@tus/s3-store`): creation,
 * HEAD/PATCH to resume, termination. Every request is authenticated and
 * checked against `opsdeck.files.file.upload`, and only the user who created
 * an upload may continue it. When the last byte arrives the stored file is
 * hashed once by streaming it (SHA-256) and becomes a library version.
 */
export function createTusUploads(options: TusUploadsOptions) {
  const { storage, library, httpAuth, permissions, auditor } = options;
  const datastore = storage.datastore;
  // Set by the middleware for each request before tus sees it.
  const callers = new WeakMap<object, BackstageCredentials>();

  const server = new Server({
    path: '/uploads',
    datastore,
    locker: options.locker,
    maxSize: options.maxUploadBytes,
    namingFunction: () => randomBytes(16).toString('hex'),
    // Relative to where the router is mounted (`/api/files/uploads/<id>`).
    generateUrl: (req, { id }) => `${(req as Request).baseUrl}/${id}`,
    async onUploadCreate(req, res, upload) {
      const credentials = callers.get(req)!;
      const meta = upload.metadata ?? {};
      let ownerGroup: string | undefined;
      try {
        validateFileName(meta.filename ?? '');
        ownerGroup = await options.checkOwnerGroup(
          credentials,
          meta.ownerGroup ?? undefined,
        );
      } catch (e) {
        throw tusError(
          e instanceof NotAllowedError ? 403 : 400,
          (e as Error).message,
        );
      }
      return {
        res,
        metadata: {
          filename: meta.filename!,
          filetype: meta.filetype ?? null,
          ownerGroup: ownerGroup ?? null,
          // The server decides who uploaded, never the client.
          uploader: principalRef(credentials),
        },
      };
    },
    async onUploadFinish(req, res, upload) {
      const file = await storeVersion(req as Request, upload);
      return { res, headers: { 'Opsdeck-File-Id': file.id } };
    },
  });

  async function storeVersion(req: Request, upload: Upload) {
    const meta = upload.metadata ?? {};
    const audit = await auditor.createEvent({
      eventId: 'file-upload',
      severityLevel: 'medium',
      request: req,
      meta: { name: meta.filename, size: upload.size, uploadId: upload.id },
    });
    try {
      const existing = await library.getByStorageKey(upload.id);
      if (existing) return existing;
      // Read back from the store (file or object) as a stream.
      const sha256 = await sha256OfStream(await storage.open(upload.id));
      const file = await library.addVersion({
        name: meta.filename!,
        size: upload.size ?? upload.offset,
        sha256,
        storageKey: upload.id,
        uploader: meta.uploader!,
        ownerGroup: meta.ownerGroup ?? undefined,
      });
      await audit.success({
        meta: { fileId: file.id, version: file.version, sha256 },
      });
      await options.onStored?.(file);
      return file;
    } catch (e) {
      await audit.fail({ error: e as Error });
      throw e;
    }
  }

  const router = express.Router();
  router.use(async (req, res, next) => {
    try {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const [decision] = await permissions.authorize(
        [{ permission: filesFileUploadPermission }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError('You are not allowed to upload files');
      }
      if (req.method === 'GET') {
        // Downloads go through GET /files/{id}/content, with its own permission.
        res.status(405).set('Allow', 'POST, HEAD, PATCH, DELETE').end();
        return;
      }
      const id = /^\/([0-9a-f]{32})\/?$/.exec(req.path)?.[1];
      if (id) {
        let upload: Upload | undefined;
        try {
          upload = await datastore.getUpload(id);
        } catch {
          upload = undefined; // tus answers 404 itself
        }
        if (upload && upload.metadata?.uploader !== principalRef(credentials)) {
          throw new NotAllowedError('This upload was started by someone else');
        }
      } else if (req.path !== '/' && req.path !== '') {
        throw new InputError('Unknown upload id');
      }
      callers.set(req, credentials);
      await server.handle(req, res);
    } catch (e) {
      next(e);
    }
  });

  return {
    router,
    datastore,
    /** Removes uploads that made no progress within the expiry. */
    cleanUpExpired: () => storage.removeExpired(),
  };
}
