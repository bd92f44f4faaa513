import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  ticketCommentPermission,
  ticketDecidePermission,
  ticketReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import type { ChangeKind } from '@opsdeck/plugin-tickets-node';
import { DatabaseTicketStore } from './database/DatabaseTicketStore';
import { resolveLevel } from './scaffolder/approvers';
import { createRouter } from './service/router';
import { TicketService } from './service/TicketService';

/** Who approves a prod change of each kind unless configured. */
export const DEFAULT_CHANGE_APPROVERS: Record<ChangeKind, string[]> = {
  'config-release': ['group:default/admins'],
  'kubernetes-action': ['group:default/ops', 'group:default/admins'],
};

/**
 * The tickets plugin: tickets, approvers, decisions, comments and history in
 * its own database, the /api/tickets API and the expiry of approvals.
 *
 * @public
 */
export const ticketsPlugin = createBackendPlugin({
  pluginId: 'tickets',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        rootConfig: coreServices.rootConfig,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        notifications: notificationService,
        // The account check reads the password of the account it tests.
        vault: vaultServiceRef,
      },
      async init(deps) {
        const store = await DatabaseTicketStore.create({
          database: deps.database,
        });
        const config = deps.rootConfig.getOptionalConfig('opsdeck.tickets');
        const service = new TicketService({
          store,
          steps: store.steps,
          // prod changes are approved by those who hold the prod permission
          // by default: admins for config releases, ops and admins for
          // Kubernetes actions (opsdeck.tickets.changeApprovers.<kind>)
          changeApprovers: (kind: ChangeKind) =>
            resolveLevel(
              config?.getOptionalStringArray(`changeApprovers.${kind}`) ??
                DEFAULT_CHANGE_APPROVERS[kind],
              { catalog: deps.catalog, auth: deps.auth },
            ),
          changeApprovalHours: config?.getOptionalNumber('changeApprovalHours'),
          auditor: deps.auditor,
          notifications: deps.notifications,
          logger: deps.logger,
        });
        // Expired approvals are rejected even when no task polls them any more.
        await deps.scheduler.scheduleTask({
          id: 'tickets-expire-approvals',
          frequency: { seconds: 30 },
          timeout: { minutes: 1 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            await service.expireDue();
          },
        });
        deps.permissionsRegistry.addPermissions([
          ticketReadPermission,
          ticketDecidePermission,
          ticketCommentPermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            service,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            userInfo: deps.userInfo,
            auditor: deps.auditor,
            getSecret: (name, use) => deps.vault.getSecret(name, use),
          }),
        );
      },
    });
  },
});
