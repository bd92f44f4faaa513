import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  errorCodeForStatus,
  filesFileUploadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { MemoryLocker, Server, type Locker, type Upload } from '@tus/server';
import express, { type Request } from 'express';
import { randomBytes } from 'node:crypto';
import type { FileLibrary } from '../database/FileLibrary';
import type { FileVersion } from '../database/types';
import { validateFileName } from '../model/paths';
import type { FileStorage } from '../storage/FileStorage';
import { coded, principalRef } from '@opsdeck/plugin-opsdeck-node';
import { createUploadFinaliser, isComplete } from './finaliseUpload';

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
  /** Where a failed upload request's own error is logged (its answer hides it). */
  logger?: Pick<LoggerService, 'error'>;
  /** Called after a version is stored (retention). */
  onStored?(file: FileVersion): Promise<void>;
};

/**
 * A tus error the server turns into a response: opsdeck's error body (JSON,
 * as the rest of the API answers) with a stable code, so the upload form
 * says the refusal in the reader's language.
 */
export function tusError(
  status: number,
  message: string,
  code: string = errorCodeForStatus(status),
  details: Record<string, unknown> = {},
) {
  return {
    status_code: status,
    body: JSON.stringify({
      error: { name: 'Error', message, ...details, code },
      response: { statusCode: status },
    }),
  };
}

/** tus' own refusals (plain text bodies) in opsdeck's error body. */
function tusResponseError(
  error: { status_code?: number; body?: string } | Error,
  maxUploadBytes: number,
) {
  const status = (error as { status_code?: number }).status_code ?? 500; // tus' own default
  const text = (error as { body?: string }).body;
  if (typeof text === 'string' && text.startsWith('{')) return undefined;
  if (status >= 500) {
    // tus appends the error's own message (paths, storage details)
    return tusError(status, 'The upload could not be stored');
  }
  if (status === 413) {
    return tusError(
      status,
      `The file is larger than the upload limit of ${maxUploadBytes} bytes`,
      'files-upload-too-large',
      { maxBytes: maxUploadBytes },
    );
  }
  if (status === 404 || status === 410) {
    return tusError(
      status,
      (text ?? 'No such upload').trim(),
      'files-upload-gone',
    );
  }
  return tusError(status, (text ?? '').trim() || 'The upload was refused');
}

/**
 * The only URLs of the tus endpoint, as the raw request URL relative to
 * `/uploads`: the collection (`/`, creation) and one upload (`/<32 hex>`).
 * No query, no trailing or doubled slash, no encoding: the id checked here is
 * the id tus acts on (it is handed to tus, which otherwise takes the last
 * segment of the raw URL, query included).
 */
const UPLOAD_URL = /^\/([0-9a-f]{32})?$/;

/** Header names with which a client could make tus run another method than the one checked. */
const METHOD_OVERRIDE_HEADERS = ['x-http-method-override'];

/**
 * The tus endpoint (`@tus/server` with the storage's data store: `@tus/file-store` or `@tus/s3-store`): creation,
 * HEAD/PATCH to resume, termination. Every request is authenticated and
 * checked against `opsdeck.files.file.upload`, and only the user who created
 * an upload may continue it. When the last byte arrives the stored file is
 * hashed once by streaming it (SHA-256) and becomes a library version; a HEAD
 * or PATCH on a complete upload that has no version yet (the process died in
 * between) finishes it, so every answer for a complete upload carries its
 * `Opsdeck-File-Id`.
 */
export function createTusUploads(options: TusUploadsOptions) {
  const { storage, library, httpAuth, permissions, auditor } = options;
  const datastore = storage.datastore;
  const locker = options.locker ?? new MemoryLocker();
  // Set by the middleware for each request before tus sees it.
  const callers = new WeakMap<object, BackstageCredentials>();
  // The upload id whose owner the middleware checked, per request.
  const checkedIds = new WeakMap<object, string>();
  const finalise = createUploadFinaliser({
    storage,
    library,
    auditor,
    locker,
    onStored: options.onStored,
  });

  const server = new Server({
    path: '/uploads',
    datastore,
    locker,
    maxSize: options.maxUploadBytes,
    namingFunction: () => randomBytes(16).toString('hex'),
    onResponseError: (req, _res, error) => {
      const answer = tusResponseError(error, options.maxUploadBytes);
      if (answer && answer.status_code >= 500) {
        options.logger?.error(
          `Upload request failed: ${req.method} ${
            (req as Request).originalUrl
          }`,
          error instanceof Error ? error : new Error(String(error.body)),
        );
      }
      return answer;
    },
    // tus acts on the id the middleware checked, never on one it parses itself.
    getFileIdFromRequest: req => checkedIds.get(req),
    async onIncomingRequest(req, _res, id) {
      // creation names a new id; every other request acts on the checked one
      const expected =
        req.method === 'POST' && !checkedIds.has(req)
          ? id
          : checkedIds.get(req);
      if (!id || id !== expected) {
        throw tusError(404, 'No such upload', 'files-upload-gone');
      }
    },
    // Relative to where the router is mounted (`/api/files/uploads/<id>`).
    generateUrl: (req, { id }) => `${(req as Request).baseUrl}/${id}`,
    async onUploadCreate(req, res, upload) {
      const credentials = callers.get(req)!;
      const meta = upload.metadata ?? {};
      let ownerGroup: string | undefined;
      try {
        validateFileName(meta.filename ?? '');
      } catch (e) {
        throw tusError(400, (e as Error).message, 'files-name-invalid');
      }
      try {
        ownerGroup = await options.checkOwnerGroup(
          credentials,
          meta.ownerGroup ?? undefined,
        );
      } catch (e) {
        const { code, group } = e as { code?: string; group?: string };
        throw tusError(
          e instanceof NotAllowedError ? 403 : 400,
          (e as Error).message,
          code,
          group ? { group } : {},
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
      const file = await finalise(req as Request, upload);
      return { res, headers: { 'Opsdeck-File-Id': file.id } };
    },
  });

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
        throw Object.assign(
          new NotAllowedError('You are not allowed to upload files'),
          { code: 'not-allowed', permission: filesFileUploadPermission.name },
        );
      }
      // tus would switch to the method named there after this check.
      for (const name of METHOD_OVERRIDE_HEADERS) {
        if (req.headers[name] !== undefined) {
          throw new InputError(
            `The ${name} header is not accepted; send the request with its own method`,
          );
        }
      }
      if (req.method === 'GET') {
        // Downloads go through GET /files/{id}/content, with its own permission.
        res.status(405).set('Allow', 'POST, HEAD, PATCH, DELETE').end();
        return;
      }
      const match = UPLOAD_URL.exec(req.url);
      const id = match?.[1];
      const onUpload = req.method !== 'POST' && req.method !== 'OPTIONS';
      if (!match || (req.method === 'POST' && id) || (onUpload && !id)) {
        throw new NotFoundError('No such upload URL');
      }
      let upload: Upload | undefined;
      if (id) {
        try {
          upload = await datastore.getUpload(id);
        } catch {
          upload = undefined; // tus answers 404 itself
        }
        if (upload && upload.metadata?.uploader !== principalRef(credentials)) {
          throw coded(
            new NotAllowedError('This upload was started by someone else'),
            'files-upload-not-yours',
          );
        }
        checkedIds.set(req, id);
      }
      if (upload && req.method === 'HEAD' && isComplete(upload)) {
        // All bytes are there: the answer names the library version,
        // making it first if the process that got the last byte died.
        const file = await finalise(req, upload);
        res.setHeader('Opsdeck-File-Id', file.id);
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
