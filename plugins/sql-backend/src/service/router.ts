import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { createRequestGuard } from '@opsdeck/plugin-opsdeck-node';
import type { Request } from 'express';
import type { SqlStore } from '../database/SqlStore';
import type { SlowQuerySnapshot } from '../model';
import type { SqlInstance } from '../catalog/instances';
import { toCsv } from '../console/csv';
import {
  DENIED_CLAUSES,
  DENIED_FUNCTIONS,
  FAMILY_RULE,
} from '../parsing/denyList';
import { RULES } from '../review/rules';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { CONSOLE_RULES } from './ConsoleService';
import { routerSupport } from './routerSupport';
import { SqlService } from './SqlService';
import { waitsFor } from './waiting';

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
  const { actor, unmask, audited, refused } = routerSupport({
    guard,
    userInfo,
    auditor,
  });

  router.get('/rules', async (_req, res) => {
    res.json({
      rules: RULES,
      console: {
        rules: [...CONSOLE_RULES],
        functions: DENIED_FUNCTIONS.map(f => ({
          ...f,
          rule: FAMILY_RULE[f.family],
        })),
        clauses: DENIED_CLAUSES,
      },
    });
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

  router.put('/instances/exception', async (req, res) => {
    const who = await actor(req);
    const instance = await service.getInstance(
      req.body.instanceRef,
      who.credentials,
    );
    const exception = await audited(
      req,
      'sql-instance-exception-set',
      'high',
      {
        instanceRef: instance.ref,
        reason: req.body.reason,
        userRef: who.userRef,
      },
      () => service.setException(instance, req.body.reason, who.userRef),
    );
    res.json(exception);
  });

  router.delete('/instances/exception', async (req, res) => {
    const who = await actor(req);
    const instance = await service.getInstance(
      req.query.instance,
      who.credentials,
    );
    const cleared = await audited(
      req,
      'sql-instance-exception-clear',
      'high',
      { instanceRef: instance.ref, userRef: who.userRef },
      () => service.clearException(instance),
      c => ({ cleared: c }),
    );
    res.json({ instanceRef: instance.ref, cleared });
  });

  router.post('/review', async (req, res) => {
    // the review asks the live instance: a permission of its own, not a read
    const who = await actor(req);
    const instance = await service.getInstance(
      req.body.instanceRef,
      who.credentials,
    );
    const review = await audited(
      req,
      'sql-review',
      'medium',
      {
        instanceRef: instance.ref,
        userRef: who.userRef,
        statement: req.body.sql.slice(0, 2000),
      },
      () =>
        service.changes.review(
          instance,
          req.body.database,
          req.body.sql,
          who.userRef,
        ),
      r => ({
        statements: r.statements.length,
        errors: r.errors,
        warnings: r.warnings,
      }),
    );
    if (review.errors > 0) {
      await refused(req, {
        instanceRef: instance.ref,
        userRef: who.userRef,
        statement: req.body.sql,
        rules: [
          ...new Set(
            review.findings.filter(f => f.level === 'error').map(f => f.rule),
          ),
        ],
        message: 'refused by review',
      });
    }
    res.json(review);
  });

  router.get('/changes', async (req, res) => {
    // waiting=me: the changes whose current level the caller (a user) may decide
    const who = req.query.waiting === 'me' ? await actor(req) : undefined;
    const listed = await store.listChanges({
      instanceRef: req.query.instance,
      limit: who ? 500 : req.query.limit ?? 100,
    });
    const changes = who
      ? listed.filter(c => waitsFor(c, who)).slice(0, req.query.limit ?? 100)
      : listed;
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
      () =>
        service.changes.submit(who, req.body).catch(async error => {
          if (/^Review found \d+ error/.test((error as Error).message)) {
            await refused(req, {
              instanceRef: req.body.instanceRef,
              userRef: who.userRef,
              statement: req.body.sql,
              rules: [
                ...(error as Error).message.matchAll(/\[([a-z-]+)\]/g),
              ].map(m => m[1]),
              message: (error as Error).message.slice(0, 2000),
            });
          }
          throw error;
        }),
      c => ({
        changeId: c.id,
        statements: c.review.statements.length,
        warnings: c.review.warnings,
      }),
    );
    res.status(201).json(change);
  });

  router.get('/changes/:id', async (req, res) => {
    const credentials = await guard.credentials(req);
    // backed-up rows and rollback SQL are row data: masked unless the caller may unmask
    res.json(
      await service.changes.viewChange(req.params.id, {
        unmask: await unmask(credentials),
      }),
    );
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
        service.changes.decide(
          who,
          req.params.id,
          req.body.decision,
          req.body.comment,
        ),
      c => ({ status: c.status }),
    );
    res.json(change);
  });

  router.post('/changes/:id/execute', async (req, res) => {
    const who = await actor(req);
    const at = req.body?.at;
    const confirm = req.body?.confirm;
    if (at) {
      const scheduled = await audited(
        req,
        'sql-change-schedule',
        'high',
        { changeId: req.params.id, at },
        () =>
          service.changes.schedule(who, req.params.id, new Date(at), confirm),
        c => ({ status: c.status, scheduledAt: c.scheduledAt ?? null }),
      );
      res.json(scheduled);
      return;
    }
    const change = await audited(
      req,
      'sql-change-execute',
      'high',
      { changeId: req.params.id },
      () => service.changes.execute(who, req.params.id, confirm),
      c => ({
        status: c.status,
        instanceRef: c.instanceRef,
        affectedRows: c.runs.reduce((n, r) => n + (r.affectedRows ?? 0), 0),
      }),
    );
    res.json(change);
  });

  router.post('/changes/:id/unschedule', async (req, res) => {
    // the schedule is set through the execute permission, so it is cancelled with it
    const who = await actor(req);
    const change = await audited(
      req,
      'sql-change-unschedule',
      'medium',
      { changeId: req.params.id },
      () => service.changes.unschedule(req.params.id, who),
      c => ({ status: c.status }),
    );
    res.json(change);
  });

  router.post('/changes/:id/rollback', async (req, res) => {
    const who = await actor(req);
    const result = await audited(
      req,
      'sql-change-rollback',
      'high',
      { changeId: req.params.id },
      () => service.changes.rollback(who, req.params.id, req.body?.confirm),
      r => ({ restoredRows: r.restoredRows }),
    );
    res.json(result);
  });

  /** Permission, per-instance access and the instance of a console request. */
  async function consoleCaller(
    req: Request<any, any, any, any, any>,
    instanceRef: string,
  ) {
    const who = await actor(req);
    const instance = await service.getInstance(instanceRef, who.credentials);
    if (!service.console.mayQuery(who, instance)) {
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
        userRef: who.userRef,
        database: req.body.database,
        statement: req.body.sql.slice(0, 2000),
      },
      () => service.console.query(who, instance, req.body),
      r => ({
        rows: r.rows.length,
        maskedColumns: r.maskedColumns,
        maskedFilter: r.maskedFilter ?? null,
      }),
    );
    res.json(result);
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
        userRef: who.userRef,
        database: req.body.database,
        statement: req.body.sql.slice(0, 2000),
      },
      () => service.console.query(who, instance, req.body),
      r => ({
        rows: r.rows.length,
        maskedColumns: r.maskedColumns,
        maskedFilter: r.maskedFilter ?? null,
      }),
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
          ? await service.slowQueries.slowQuerySnapshot(instance, takenAt)
          : await service.slowQueries.slowQueryIntervalSnapshot(
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
    const times = await service.slowQueries.slowQueryHistory(instance);
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
      () => service.slowQueries.refreshSlowQuerySnapshot(instance),
      s => ({ statements: s.statements.length, error: s.error ?? null }),
    );
    res.json(snapshotBody(instance, snapshot));
  });

  return router;
}
