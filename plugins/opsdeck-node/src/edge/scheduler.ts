import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
  type HttpAuthService,
  type HttpRouterService,
  type PermissionsService,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { schedulerManagePermission } from '@opsdeck/plugin-opsdeck-common';
import { Router, type RequestHandler } from 'express';

/** Where Backstage's scheduler mounts its API inside each plugin's router. */
const SCHEDULER_PATH = '/.backstage/scheduler';

/**
 * The check in front of the scheduler API: other backends (service principals) and holders of
 * `opsdeck.scheduler.manage` (admins) pass; every other caller gets 403 before the scheduler
 * sees the request, and no credentials at all 401 (the plugin's auth policy).
 */
export function schedulerApiGuard(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}): RequestHandler {
  return async (req, _res, next) => {
    try {
      const credentials = await deps.httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      if (credentials.principal.type === 'user') {
        const [decision] = await deps.permissions.authorize(
          [{ permission: schedulerManagePermission }],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `${schedulerManagePermission.name} is needed for the task scheduler API`,
          );
        }
      }
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** A plugin's router with the scheduler API guarded, for the scheduler to mount on. */
function guardedRouter(
  httpRouter: HttpRouterService,
  guard: RequestHandler,
): HttpRouterService {
  return {
    use(handler) {
      const router = Router();
      router.use(SCHEDULER_PATH, guard);
      router.use(handler);
      httpRouter.use(router);
    },
    addAuthPolicy: policy => httpRouter.addAuthPolicy(policy),
  } as HttpRouterService;
}

/**
 * Backstage's scheduler, with its HTTP API (list, trigger and cancel any of the plugin's
 * tasks) open only to admins and other backends. Stock, any signed-in user could trigger or
 * cancel every task of every plugin.
 */
export const opsdeckSchedulerServiceFactory = createServiceFactory({
  service: coreServices.scheduler,
  deps: {
    database: coreServices.database,
    logger: coreServices.logger,
    rootLifecycle: coreServices.rootLifecycle,
    httpRouter: coreServices.httpRouter,
    httpAuth: coreServices.httpAuth,
    permissions: coreServices.permissions,
    pluginMetadata: coreServices.pluginMetadata,
    metrics: metricsServiceRef,
  },
  async factory({ httpRouter, httpAuth, permissions, ...rest }) {
    return DefaultSchedulerService.create({
      ...rest,
      httpRouter: guardedRouter(
        httpRouter,
        schedulerApiGuard({ httpAuth, permissions }),
      ),
    });
  },
});
