import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  audited,
  coded,
  createRequestGuard,
  principalRef,
} from '@opsdeck/plugin-opsdeck-node';
import express from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { distributionHosts } from '../catalog/targetHosts';
import type { HostsService } from '@opsdeck/plugin-cmdb-node';
import type { DistributionStore } from '../database/DistributionStore';
import type { FileLibrary } from '../database/FileLibrary';
import type { DistributionWithHosts } from '../database/types';
import type { Distributor } from '../distribution/Distributor';
import {
  dirnameOf,
  isInsideRoot,
  parseFileMode,
  resolveTargetPath,
  validateFileOwner,
} from '../model/paths';
import { createOpenApiRouter } from '../schema/openapi.generated';

export type RouterOptions = {
  library: FileLibrary;
  distributions: DistributionStore;
  distributor: Distributor;
  /** cmdb-node's host service: selectors resolved from the CMDB's host index. */
  hosts: HostsService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The tus endpoint, mounted at /uploads before the JSON routes. */
  uploads: express.Router;
  /** Local path of a stored version's bytes, and removal of them. */
  /** The stored bytes of a version as a stream (NotFoundError when missing). */
  openStored(storageKey: string): Promise<Readable>;
  removeStored(storageKey: string): Promise<void>;
  defaultConcurrency: number;
  maxConcurrency: number;
  /** The directories a target may be in, for a host's environment. */
  allowedRoots(environment: string | undefined): string[];
};

/**
 * Refuses a target outside the allowed roots of any selected host's
 * environment, naming the environments, their roots and the hosts.
 */
function checkAllowedRoots(
  targetPath: string,
  hosts: { host: string; environment?: string }[],
  allowedRoots: RouterOptions['allowedRoots'],
) {
  const dir = dirnameOf(targetPath);
  const refused = new Map<string, string[]>();
  for (const h of hosts) {
    const roots = allowedRoots(h.environment);
    if (roots.some(root => isInsideRoot(dir, root))) continue;
    const key = `${h.environment ?? 'default'} (${roots.join(', ')})`;
    refused.set(key, [...(refused.get(key) ?? []), h.host]);
  }
  if (refused.size === 0) return;
  const details = [...refused]
    .map(([env, list]) => `${env}: ${list.join(', ')}`)
    .join('; ');
  throw coded(
    new InputError(
      `Target path ${targetPath} is outside the directories allowed for these hosts' environments — ${details}. An admin can allow more in opsdeck.files.distribution.allowedRoots.`,
    ),
    'files-target-outside-roots',
    { targetPath, refused: details },
  );
}

/** The files plugin's HTTP API. */
export async function createRouter(options: RouterOptions) {
  const { library, distributions, distributor, auditor } = options;
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before validation
  const api = await createOpenApiRouter({ guard });

  /**
   * The stored record as the API shows it: with this process's live
   * bytes/rate for hosts it is writing, and without the hosts' temporary
   * file names (kept unguessable for anyone on the hosts).
   */
  function withLiveProgress(d: DistributionWithHosts): DistributionWithHosts {
    const live = distributor.liveProgress(d.id);
    return {
      ...d,
      hosts: d.hosts.map(({ tempName: _t, ...h }) => {
        const p = live?.get(h.host);
        return p && h.state === 'transferring' ? { ...h, ...p } : h;
      }),
    };
  }

  api.get('/files', async (req, res) => {
    const items = await library.list({ name: req.query.name, q: req.query.q });
    res.json({ items: items.map(({ storageKey: _k, ...f }) => f) });
  });

  api.get('/files/:id', async (req, res) => {
    const file = await library.get(req.params.id);
    if (!file) throw new NotFoundError(`No file version ${req.params.id}`);
    const { storageKey: _k, ...rest } = file;
    res.json(rest);
  });

  api.get('/files/:id/content', async (req, res) => {
    const file = await library.get(req.params.id);
    if (!file) throw new NotFoundError(`No file version ${req.params.id}`);
    const stored = await options.openStored(file.storageKey).catch(e => {
      throw e instanceof NotFoundError
        ? new NotFoundError(`The bytes of file version ${file.id} are missing`)
        : e;
    });
    res.status(200);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(file.size));
    res.setHeader(
      'Content-Disposition',
      `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    );
    // A read error after the headers went out can only cut the response short.
    await pipeline(stored, res).catch(() => res.destroy());
  });

  api.delete('/files/:id', async (req, res) => {
    await audited(
      auditor,
      {
        eventId: 'file-delete',
        request: req,
        target: `file:${req.params.id}`,
        meta: { fileId: req.params.id },
        successMeta: file => ({
          name: file.name,
          version: file.version,
          sha256: file.sha256,
          size: file.size,
        }),
      },
      async () => {
        const file = await library.get(req.params.id);
        if (!file) throw new NotFoundError(`No file version ${req.params.id}`);
        await library.delete(file.id);
        await options.removeStored(file.storageKey);
        return file;
      },
    );
    res.status(204).end();
  });

  api.get('/distributions', async (_req, res) => {
    res.json({ items: await distributions.list(100) });
  });

  api.get('/distributions/:id', async (req, res) => {
    const d = await distributions.get(req.params.id);
    if (!d) throw new NotFoundError(`No distribution ${req.params.id}`);
    res.json(withLiveProgress(d));
  });

  api.post('/distributions', async (req, res) => {
    const body = req.body;
    // which hosts: recorded as asked, then resolved for the caller
    const criteria = {
      hosts: body.hosts,
      owner: body.owner,
      system: body.system,
      environment: body.environment,
      tag: body.tag,
      tags: body.tags,
    };
    let details: Record<string, string | number | string[]> = {};
    const created = await audited(
      auditor,
      {
        eventId: 'file-distribute',
        severityLevel: 'high',
        request: req,
        target: `file:${body.fileId}`,
        meta: { fileId: body.fileId, targetPath: body.targetPath, ...criteria },
        successMeta: d => ({
          distributionId: d.id,
          ...details,
          target: `file-distribution:${d.id}`,
        }),
      },
      async () => {
        const credentials = await guard.credentials(req);
        const file = await library.get(body.fileId);
        if (!file) {
          throw coded(
            new InputError(`No file version ${body.fileId}`),
            'files-version-missing',
          );
        }
        const targetPath = resolveTargetPath(body.targetPath, file.name);
        const fileMode = parseFileMode(body.fileMode);
        const fileOwner = validateFileOwner(body.fileOwner);
        const concurrency = body.concurrency ?? options.defaultConcurrency;
        if (concurrency > options.maxConcurrency) {
          throw coded(
            new InputError(
              `Concurrency ${concurrency} is above the limit of ${options.maxConcurrency}`,
            ),
            'files-concurrency-too-high',
            { max: options.maxConcurrency },
          );
        }
        const hosts = await distributionHosts(
          options.hosts,
          credentials,
          criteria,
        );
        checkAllowedRoots(targetPath, hosts, options.allowedRoots);
        details = {
          name: file.name,
          version: file.version,
          sha256: file.sha256,
          targetPath,
          hosts: hosts.map(h => h.host),
        };
        const d = await distributions.create(
          {
            fileId: file.id,
            fileName: file.name,
            fileVersion: file.version,
            size: file.size,
            sha256: file.sha256,
            targetPath,
            fileMode,
            fileOwner,
            strategy: body.strategy ?? 'direct',
            concurrency,
            createdBy: principalRef(credentials),
          },
          hosts,
        );
        distributor.start(d.id);
        return d;
      },
    );
    res.status(201).json(withLiveProgress(created));
  });

  api.post('/distributions/:id/retry', async (req, res) => {
    const requeued = await audited(
      auditor,
      {
        eventId: 'file-distribute-retry',
        severityLevel: 'high',
        request: req,
        target: `file-distribution:${req.params.id}`,
        meta: { distributionId: req.params.id },
        successMeta: n => ({ requeued: n }),
      },
      async () => {
        const d = await distributions.get(req.params.id);
        if (!d) throw new NotFoundError(`No distribution ${req.params.id}`);
        const n = await distributions.requeueHosts(d.id, ['failed']);
        if (n > 0) distributor.start(d.id);
        return n;
      },
    );
    res.json({ requeued });
  });

  const router = express.Router();
  // tus reads the raw request body: it must come before any body parser.
  router.use('/uploads', options.uploads);
  router.use(api);
  return router;
}
