import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { audited, createRequestGuard } from '@opsdeck/plugin-opsdeck-node';
import type { Response } from 'express';
import { AuditStore, MAX_PAGE_SIZE } from '@opsdeck/plugin-audit-node';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { CSV_COLUMNS, csvLine } from './csv';
import { filtersOf, pageSizeOf } from './query';

/** Most rows one CSV export holds. */
export const MAX_EXPORT_ROWS = 100_000;

function writeChunk(res: Response, chunk: string): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise(resolve => res.once('drain', () => resolve()));
}

/** Read-only HTTP API of the audit log. */
export async function createRouter(options: {
  store: AuditStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}) {
  const { store } = options;
  // every route needs opsdeck.audit.event.read (schema/access.ts)
  const router = await createOpenApiRouter({
    guard: createRequestGuard(options),
  });

  router.get('/events', async (req, res) => {
    const q = req.query;
    res.json(
      await store.list({
        ...filtersOf(q),
        before: q.before,
        limit: pageSizeOf(q.limit),
      }),
    );
  });

  router.get('/events/export.csv', async (req, res) => {
    const filters = filtersOf(req.query);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      'attachment; filename="audit-events.csv"',
    );
    // exporting the log is itself on the log
    await audited(
      options.auditor,
      {
        eventId: 'audit-export',
        request: req,
        target: 'audit:events',
        meta: { filters: JSON.parse(JSON.stringify(filters)) },
        successMeta: rows => ({ rows }),
      },
      async () => {
        await writeChunk(res, `${CSV_COLUMNS.join(',')}\r\n`);
        let before: number | undefined;
        let rows = 0;
        while (rows < MAX_EXPORT_ROWS) {
          const page = await store.list({
            ...filters,
            before,
            limit: Math.min(MAX_PAGE_SIZE, MAX_EXPORT_ROWS - rows),
          });
          if (page.items.length > 0) {
            await writeChunk(
              res,
              `${page.items.map(csvLine).join('\r\n')}\r\n`,
            );
          }
          rows += page.items.length;
          if (page.nextCursor === undefined) break;
          before = page.nextCursor;
        }
        res.end();
        return rows;
      },
    );
  });

  router.get('/events/:id', async (req, res) => {
    const event = await store.get(Number(req.params.id));
    if (!event) {
      throw new NotFoundError(`No audit event with id ${req.params.id}`);
    }
    res.json(event);
  });

  router.get('/facets', async (_req, res) => {
    res.json(await store.facets());
  });

  return router;
}
