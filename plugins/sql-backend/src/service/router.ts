import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  audited as auditedEvent,
  createRequestGuard,
} from '@opsdeck/plugin-opsdeck-node';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import type { SlowQuerySnapshot, SqlStore } from '../database/SqlStore';
import type { SqlInstance } from '../catalog/instances';
import { toCsv } from '../console/csv';
import { RULES } from '../review/rules';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { Actor, SqlService } from './SqlService';

/** A snapshot as the API returns it, with its age; empty before the first refresh. */
function snapshotBody(
  instance: SqlInstance,
  snapshot?: SlowQuerySnapshot & { comparedTo?: string },
) {
  const ageSeconds = snapshot?.takenAt
    ? Math.max(
        0,
        Math.round((Date.now() - new Date(snapshot.takenAt).getTime()) / 1000),
      )
    : undefined;
  return {
    instanceRef: instance.ref,
    engine: instance.engine,
    takenAt: snapshot?.takenAt,
    ageSeconds,
    attemptedAt: snapshot?.attemptedAt,
    error: snapshot?.error,
    comparedTo: snapshot?.comparedTo,
    statements: snapshot?.statements ?? [],
  };
}

/** Typed results as the spec's free-form JSON objects. */
const body = (value: object) => value as Record<string, unknown>;

/** The sql plugin's HTTP API: permission checks and audit around SqlService. */
export async function createRouter(options: {
  service: SqlService;
  store: SqlStore;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
  auditor: AuditorService;
}) {
  const { service, store, userInfo, auditor } = options;
  const guard = createRequestGuard(options);
  // permissions per operation (schema/access.ts), checked before validation
  const router = await createOpenApiRouter({ guard });

  /** A signed-in user (changes and queries are always someone's). */
  async function actor(req: Request<any, any, any, any, any>): Promise<Actor> {
    const credentials = await guard.credentials(req, ['user']);
    const info = await userInfo.getUserInfo(credentials);
    return {
      userRef: info.userEntityRef,
      ownership: info.ownershipEntityRefs.map(r => r.toLowerCase()),
      credentials,
    };
  }

  /** Runs `fn` inside an audit event that records success or failure. */
  async function audited<T>(
    req: Request<any, any, any, any, any>,
    eventId: string,
    severityLevel: 'low' | 'medium' | 'high',
    meta: JsonObject,
    fn: () => Promise<T>,
    resultMeta?: (result: T) => JsonObject,
  ): Promise<T> {
    const target = String(
      meta.changeId !== undefined
        ? `sql-change:${meta.changeId}`
        : meta.instanceRef,
    );
    return auditedEvent(
      auditor,
      {
        eventId,
        severityLevel,
        request: req,
        target,
        meta,
        successMeta: resultMeta,
      },
      fn,
    );
  }

  router.get('/rules', async (_req, res) => {
    res.json({ rules: RULES });
  });

  router.get('/instances', async (req, res) => {
    const credentials = await guard.credentials(req);
    const instances = await service.listInstances(credentials);
    res.json({ instances });
  });

  router.post('/instances/check', async (req, res) => {
    const credentials = await guard.credentials(req);
    const instance = await service.getInstance(
      req.body.instanceRef,
      credentials,
    );
    res.json(await service.check(instance));
  });

  router.post('/review', async (req, res) => {
    const credentials = await guard.credentials(req);
    const instance = await service.getInstance(
      req.body.instanceRef,
      credentials,
    );
    res.json(
      body(await service.review(instance, req.body.database, req.body.sql)),
    );
  });

  router.get('/changes', async (req, res) => {
    const changes = await store.listChanges({
      instanceRef: req.query.instance,
      limit: req.query.limit ?? 100,
    });
    res.json({
      changes: changes.map(({ review, ...c }) => ({
        ...c,
        errors: review.errors,
        warnings: review.warnings,
      })),
    });
  });

  router.post('/changes', async (req, res) => {
    const who = await actor(req);
    const change = await audited(
      req,
      'sql-change-submit',
      'medium',
      {
        instanceRef: req.body.instanceRef,
        database: req.body.database,
        title: req.body.title,
      },
      () => service.submit(who, req.body),
      c => ({
        changeId: c.id,
        statements: c.review.statements.length,
        warnings: c.review.warnings,
      }),
    );
    res.status(201).json(body(change));
  });

  router.get('/changes/:id', async (req, res) => {
    res.json(body(await service.getChange(req.params.id)));
  });

  router.post('/changes/:id/decision', async (req, res) => {
    const who = await actor(req);
    const change = await audited(
      req,
      req.body.decision === 'approved'
        ? 'sql-change-approve'
        : 'sql-change-reject',
      'medium',
      { changeId: req.params.id, comment: req.body.comment },
      () =>
        service.decide(who, req.params.id, req.body.decision, req.body.comment),
      c => ({ status: c.status }),
    );
    res.json(body(change));
  });

  router.post('/changes/:id/execute', async (req, res) => {
    const who = await actor(req);
    const at = req.body?.at;
    if (at) {
      const scheduled = await audited(
        req,
        'sql-change-schedule',
        'high',
        { changeId: req.params.id, at },
        () => service.schedule(who, req.params.id, new Date(at)),
        c => ({ status: c.status, scheduledAt: c.scheduledAt ?? null }),
      );
      res.json(body(scheduled));
      return;
    }
    const change = await audited(
      req,
      'sql-change-execute',
      'high',
      { changeId: req.params.id },
      () => service.execute(who, req.params.id),
      c => ({
        status: c.status,
        instanceRef: c.instanceRef,
        affectedRows: c.runs.reduce((n, r) => n + (r.affectedRows ?? 0), 0),
      }),
    );
    res.json(body(change));
  });

  router.post('/changes/:id/unschedule', async (req, res) => {
    // the schedule is set through the execute permission, so it is cancelled with it
    await actor(req);
    const change = await audited(
      req,
      'sql-change-unschedule',
      'medium',
      { changeId: req.params.id },
      () => service.unschedule(req.params.id),
      c => ({ status: c.status }),
    );
    res.json(body(change));
  });

  router.post('/changes/:id/rollback', async (req, res) => {
    const who = await actor(req);
    const result = await audited(
      req,
      'sql-change-rollback',
      'high',
      { changeId: req.params.id },
      () => service.rollback(who, req.params.id),
      r => ({ restoredRows: r.restoredRows }),
    );
    res.json(body(result));
  });

  /** Permission, per-instance access and the instance of a console request. */
  async function consoleCaller(
    req: Request<any, any, any, any, any>,
    instanceRef: string,
  ) {
    const who = await actor(req);
    const instance = await service.getInstance(instanceRef, who.credentials);
    if (!service.mayQuery(who, instance)) {
      throw new NotAllowedError(`You may not query ${instance.ref}`);
    }
    return { who, instance };
  }

  router.post('/query', async (req, res) => {
    const { who, instance } = await consoleCaller(req, req.body.instanceRef);
    const result = await audited(
      req,
      'sql-query',
      'medium',
      {
        instanceRef: instance.ref,
        database: req.body.database,
        statement: req.body.sql.slice(0, 2000),
      },
      () => service.query(who, instance, req.body),
      r => ({ rows: r.rows.length, maskedColumns: r.maskedColumns }),
    );
    res.json(body(result));
  });

  // The export runs the query again (masked, limited, logged) rather than
  // trusting rows sent by the browser.
  router.post('/query/export', async (req, res) => {
    const { who, instance } = await consoleCaller(req, req.body.instanceRef);
    const result = await audited(
      req,
      'sql-query-export',
      'medium',
      {
        instanceRef: instance.ref,
        database: req.body.database,
        statement: req.body.sql.slice(0, 2000),
      },
      () => service.query(who, instance, req.body),
      r => ({ rows: r.rows.length, maskedColumns: r.maskedColumns }),
    );
    res
      .status(200)
      .type('text/csv; charset=utf-8')
      .setHeader(
        'Content-Disposition',
        `attachment; filename="${instance.name}-query.csv"`,
      )
      .send(toCsv(result.columns, result.rows));
  });

  router.get('/query-log', async (req, res) => {
    res.json({
      entries: await store.listQueryLog({
        instanceRef: req.query.instance,
        limit: req.query.limit ?? 100,
      }),
    });
  });

  router.get('/slow-queries', async (req, res) => {
    const credentials = await guard.credentials(req);
    const instance = await service.getInstance(req.query.instance, credentials);
    const { takenAt, compareTo } = req.query;
    res.json(
      snapshotBody(
        instance,
        compareTo === undefined
          ? await service.slowQuerySnapshot(instance, takenAt)
          : await service.slowQueryIntervalSnapshot(
              instance,
              takenAt,
              compareTo,
            ),
      ),
    );
  });

  router.get('/slow-queries/history', async (req, res) => {
    const credentials = await guard.credentials(req);
    const instance = await service.getInstance(req.query.instance, credentials);
    const times = await service.slowQueryHistory(instance);
    res.json({
      instanceRef: instance.ref,
      snapshots: times.map(takenAt => ({ takenAt })),
    });
  });

  router.post('/slow-queries/refresh', async (req, res) => {
    const credentials = await guard.credentials(req);
    const instance = await service.getInstance(
      req.body.instanceRef,
      credentials,
    );
    const snapshot = await audited(
      req,
      'sql-slowquery-refresh',
      'low',
      { instanceRef: instance.ref },
      () => service.refreshSlowQuerySnapshot(instance),
      s => ({ statements: s.statements.length, error: s.error ?? null }),
    );
    res.json(snapshotBody(instance, snapshot));
  });

  return router;
}
