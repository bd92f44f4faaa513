import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { createRequestGuard, principalRef } from '@opsdeck/plugin-opsdeck-node';
import express from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { resolveHosts } from '../catalog/resolveHosts';
import type { DistributionStore } from '../database/DistributionStore';
import type { FileLibrary } from '../database/FileLibrary';
import type { DistributionWithHosts } from '../database/types';
import type { Distributor } from '../distribution/Distributor';
import {
  parseFileMode,
  resolveTargetPath,
  validateFileOwner,
} from '../model/paths';
import { createOpenApiRouter } from '../schema/openapi.generated';

export type RouterOptions = {
  library: FileLibrary;
  distributions: DistributionStore;
  distributor: Distributor;
  catalog: CatalogService;
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
};

/** The files plugin's HTTP API. */
export async function createRouter(options: RouterOptions) {
  const { library, distributions, distributor, auditor } = options;
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before validation
  const api = await createOpenApiRouter({ guard });

  /** The stored record, with this process's live bytes/rate for hosts it is writing. */
  function withLiveProgress(d: DistributionWithHosts): DistributionWithHosts {
    const live = distributor.liveProgress(d.id);
    if (!live) return d;
    return {
      ...d,
      hosts: d.hosts.map(h => {
        const p = live.get(h.host);
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
    const audit = await auditor.createEvent({
      eventId: 'file-delete',
      severityLevel: 'medium',
      request: req,
      meta: { fileId: req.params.id },
    });
    try {
      const file = await library.get(req.params.id);
      if (!file) throw new NotFoundError(`No file version ${req.params.id}`);
      await library.delete(file.id);
      await options.removeStored(file.storageKey);
      await audit.success({
        meta: {
          name: file.name,
          version: file.version,
          sha256: file.sha256,
          size: file.size,
        },
      });
      res.status(204).end();
    } catch (e) {
      await audit.fail({ error: e as Error });
      throw e;
    }
  });

  api.get('/hosts', async (req, res) => {
    const credentials = await guard.credentials(req);
    const { items } = await options.catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': 'host' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.tags',
          'spec',
        ],
      },
      { credentials },
    );
    res.json({
      items: items
        .filter(e => typeof (e.spec as any)?.address === 'string')
        .map(e => {
          const spec = e.spec as Record<string, any>;
          return {
            ref: stringifyEntityRef(e),
            name: e.metadata.name,
            address: spec.address,
            port: typeof spec.port === 'number' ? spec.port : 22,
            owner: typeof spec.owner === 'string' ? spec.owner : undefined,
            system: typeof spec.system === 'string' ? spec.system : undefined,
            tags: e.metadata.tags ?? [],
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
    });
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
    const audit = await auditor.createEvent({
      eventId: 'file-distribute',
      severityLevel: 'high',
      request: req,
      meta: {
        fileId: body.fileId,
        targetPath: body.targetPath,
        hosts: body.hosts,
        owner: body.owner,
        system: body.system,
        tag: body.tag,
      },
    });
    try {
      const credentials = await guard.credentials(req);
      const file = await library.get(body.fileId);
      if (!file) throw new InputError(`No file version ${body.fileId}`);
      const targetPath = resolveTargetPath(body.targetPath, file.name);
      const fileMode = parseFileMode(body.fileMode);
      const fileOwner = validateFileOwner(body.fileOwner);
      const concurrency = body.concurrency ?? options.defaultConcurrency;
      if (concurrency > options.maxConcurrency) {
        throw new InputError(
          `Concurrency ${concurrency} is above the limit of ${options.maxConcurrency}`,
        );
      }
      const hosts = await resolveHosts(options.catalog, credentials, {
        hosts: body.hosts,
        owner: body.owner,
        system: body.system,
        tag: body.tag,
      });
      const created = await distributions.create(
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
      distributor.start(created.id);
      await audit.success({
        meta: {
          distributionId: created.id,
          name: file.name,
          version: file.version,
          sha256: file.sha256,
          targetPath,
          hosts: hosts.map(h => h.host),
        },
      });
      res.status(201).json(created);
    } catch (e) {
      await audit.fail({ error: e as Error });
      throw e;
    }
  });

  api.post('/distributions/:id/retry', async (req, res) => {
    const audit = await auditor.createEvent({
      eventId: 'file-distribute-retry',
      severityLevel: 'high',
      request: req,
      meta: { distributionId: req.params.id },
    });
    try {
      const d = await distributions.get(req.params.id);
      if (!d) throw new NotFoundError(`No distribution ${req.params.id}`);
      const requeued = await distributions.requeueHosts(d.id, ['failed']);
      if (requeued > 0) distributor.start(d.id);
      await audit.success({ meta: { requeued } });
      res.json({ requeued });
    } catch (e) {
      await audit.fail({ error: e as Error });
      throw e;
    }
  });

  const router = express.Router();
  // tus reads the raw request body: it must come before any body parser.
  router.use('/uploads', options.uploads);
  router.use(api);
  return router;
}
