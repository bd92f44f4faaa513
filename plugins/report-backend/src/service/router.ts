import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  reportEditPermission,
  reportManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { createRequestGuard, principalRef } from '@opsdeck/plugin-opsdeck-node';
import { ORG_SCOPE, ReportFigureKey } from '@opsdeck/plugin-report-common';
import type { Request, Response } from 'express';
import { StoredReport } from '../model';
import { renderAtomFeed } from '../render/feed';
import { checkWeekStart } from '../schedule/period';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { pageSizeOf } from './input';
import { hashFeedToken, ReportService, toSummary } from './ReportService';

type Req = Request<any, any, any, any, any>;

/**
 * The report plugin's HTTP API (see src/schema/openapi.yaml). Every route
 * passes the plugin's request guard first: authentication and the
 * permission of src/schema/access.ts, before the request is parsed or
 * validated; every 403 is audited.
 */
export async function createRouter(options: {
  service: ReportService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  logger?: LoggerService;
  baseUrl: string;
  /** External URL of this plugin's API, for feed links. */
  apiUrl: () => Promise<string>;
}) {
  const { service, userInfo } = options;
  const guard = createRequestGuard(options);
  const router = await createOpenApiRouter({ guard });

  /** The person calling (the guard has let only people through). */
  const person = (req: Req) => guard.credentials(req, ['user']);

  /**
   * Whether the caller may edit this report: report.edit (checked by the
   * guard for the editing routes), and for a team report membership of the
   * team or report.manage.
   */
  async function mayEdit(
    credentials: BackstageCredentials,
    report: StoredReport,
    hasEdit: boolean,
  ): Promise<boolean> {
    if (!hasEdit) return false;
    if (report.scope === ORG_SCOPE) return true;
    const info = await userInfo.getUserInfo(credentials);
    const refs = info.ownershipEntityRefs.map(r =>
      r.toLocaleLowerCase('en-US'),
    );
    if (refs.includes(report.scope.toLocaleLowerCase('en-US'))) return true;
    return guard.allowed(credentials, reportManagePermission);
  }

  async function editable(req: Req) {
    const credentials = await person(req);
    const report = await service.get(Number(req.params.id));
    if (!(await mayEdit(credentials, report, true))) {
      throw new NotAllowedError(
        `Only members of ${report.scopeTitle} (or report managers) edit its report`,
      );
    }
    return { credentials, report };
  }

  router.get('/reports', async (req, res) => {
    if (req.query.weekStart !== undefined) checkWeekStart(req.query.weekStart);
    const { items, total } = await service.store.list({
      scope: req.query.scope,
      weekStart: req.query.weekStart,
      limit: pageSizeOf(req.query.limit, 200, 50),
      offset: req.query.offset ?? 0,
    });
    res.json({ items: items.map(toSummary), total });
  });

  router.get('/reports/:id', async (req, res) => {
    const credentials = await person(req);
    const report = await service.get(Number(req.params.id));
    const hasEdit = await guard.allowed(credentials, reportEditPermission);
    res.json(
      await service.detail(report, await mayEdit(credentials, report, hasEdit)),
    );
  });

  router.get('/reports/:id/figures/:figure/records', async (req, res) => {
    const id = Number(req.params.id);
    await service.get(id);
    res.json(
      await service.store.records(id, req.params.figure as ReportFigureKey, {
        limit: pageSizeOf(req.query.limit, 500, 100),
        offset: req.query.offset ?? 0,
      }),
    );
  });

  router.put('/reports/:id/highlights', async (req, res) => {
    const { credentials, report } = await editable(req);
    await service.setHighlights(
      report.id,
      req.body.text,
      req.body.lang,
      principalRef(credentials),
      req,
    );
    res.json(await service.detail(await service.get(report.id), true));
  });

  router.post('/reports/:id/send', async (req, res) => {
    const { report } = await editable(req);
    await service.sendNow(report.id, req);
    res.json(await service.detail(await service.get(report.id), false));
  });

  router.post('/weeks/:weekStart/generate', async (req, res) => {
    const created = await service.generateWeek(req.params.weekStart, req);
    res.json({ created: created.map(toSummary) });
  });

  async function sendFeed(
    res: Response,
    scope: string | undefined,
    selfUrl: string,
  ) {
    const reports = await service.store.sent(scope ? [scope] : undefined, 50);
    res.type('application/atom+xml; charset=utf-8').send(
      renderAtomFeed({
        reports,
        baseUrl: options.baseUrl,
        selfUrl,
        title: 'opsdeck weekly reports · 技术周报',
      }),
    );
  }

  router.get('/feed', async (req, res) => {
    await sendFeed(res, req.query.scope, `${await options.apiUrl()}/feed`);
  });

  router.get('/feed-token', async (req, res) => {
    const user = principalRef(await person(req));
    res.json({ exists: await service.store.hasFeedToken(user) });
  });

  router.post('/feed-token', async (req, res) => {
    const user = principalRef(await person(req));
    const token = await service.createFeedToken(user, req);
    res.json({ url: `${await options.apiUrl()}/feeds/${token}` });
  });

  router.delete('/feed-token', async (req, res) => {
    await service.deleteFeedToken(principalRef(await person(req)), req);
    res.status(204).end();
  });

  // A feed reader has no Backstage session: the personal token is the
  // credential (plugin.ts lets /feeds through without one). Unknown tokens
  // and tokens of users gone from the catalog get the same 404.
  router.get('/feeds/:token', async (req, res) => {
    const userRef = await service.store.feedTokenUser(
      hashFeedToken(req.params.token),
      new Date(),
    );
    const user =
      userRef &&
      (await options.catalog.getEntityByRef(userRef, {
        credentials: await options.auth.getOwnServiceCredentials(),
      }));
    if (!user) throw new NotFoundError('No such feed');
    await sendFeed(res, req.query.scope, `${await options.apiUrl()}/feeds/…`);
  });

  return router;
}
