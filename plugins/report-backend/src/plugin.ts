import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { auditLogServiceRef } from '@opsdeck/plugin-audit-node';
import {
  reportEditPermission,
  reportManagePermission,
  reportReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { readReportConfig } from './config';
import { DatabaseReportStore } from './database/DatabaseReportStore';
import { ReportGenerator } from './generate/ReportGenerator';
import { ReportSender } from './send/ReportSender';
import { smtpTransport } from './send/smtp';
import { createRouter } from './service/router';
import { ReportService } from './service/ReportService';
import { readCatalog, recipientsOf } from './sources/catalogData';
import { jobsApiReader } from './sources/jobRuns';

/**
 * The weekly tech report (技术周报): every Monday, from the audit log and the
 * jobs plugin, one report per team and one for the org; editors add
 * highlights in the draft window, then it is mailed, kept and offered as an
 * Atom feed (/api/report).
 *
 * @public
 */
export const reportPlugin = createBackendPlugin({
  pluginId: 'report',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        discovery: coreServices.discovery,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        auditLog: auditLogServiceRef,
      },
      async init(deps) {
        const { logger, auth, catalog } = deps;
        const config = readReportConfig(deps.rootConfig);
        const store = await DatabaseReportStore.create({
          database: deps.database,
        });
        const orgTitle =
          deps.rootConfig.getOptionalString('organization.name') ?? 'opsdeck';
        const snapshot = () =>
          readCatalog(catalog, auth, {
            teamTypes: config.teamTypes,
            prodEnvironments: config.prodEnvironments,
            orgTitle,
          });
        const generator = new ReportGenerator({
          auditLog: deps.auditLog,
          readCatalog: snapshot,
          readJobRuns: config.jobs
            ? jobsApiReader({ auth, discovery: deps.discovery })
            : undefined,
        });
        const sender = new ReportSender({
          store,
          transport: config.smtp ? smtpTransport(config.smtp) : undefined,
          recipients: async report =>
            recipientsOf(await snapshot(), report.scope, config.orgRecipients),
          baseUrl: config.baseUrl,
          logger,
        });
        const service = new ReportService({
          store,
          generator,
          sender,
          config,
          auditor: deps.auditor,
          logger,
        });
        if (!config.smtp) {
          logger.info(
            'opsdeck.report.smtp is not set: weekly reports are published, not mailed',
          );
        }

        if (config.enabled) {
          await deps.scheduler.scheduleTask({
            id: 'opsdeck-report-check',
            scope: 'global',
            frequency: { seconds: config.checkSeconds },
            timeout: { minutes: 30 },
            initialDelay: { seconds: 15 },
            fn: async () => {
              await service.tick();
            },
          });
        }

        deps.permissionsRegistry.addPermissions([
          reportReadPermission,
          reportEditPermission,
          reportManagePermission,
        ]);
        deps.httpRouter.addAuthPolicy({
          path: '/feeds',
          allow: 'unauthenticated',
        });
        deps.httpRouter.use(
          await createRouter({
            service,
            httpAuth: deps.httpAuth,
            auth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            logger,
            userInfo: deps.userInfo,
            catalog,
            baseUrl: config.baseUrl,
            apiUrl: () => deps.discovery.getExternalBaseUrl('report'),
          }),
        );
      },
    });
  },
});
