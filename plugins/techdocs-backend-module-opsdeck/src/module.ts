import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  TechdocsGenerator,
  techdocsGeneratorExtensionPoint,
  techdocsPreparerExtensionPoint,
  UrlPreparer,
} from '@backstage/plugin-techdocs-node';
import { createDocsAuditor } from './generator/docsAudit';
import { OpsdeckMkdocsGenerator } from './generator/OpsdeckMkdocsGenerator';
import { BuildTracker } from './prepare/BuildTracker';
import { OpsdeckDirectoryPreparer } from './prepare/OpsdeckDirectoryPreparer';
import { TrackingPreparer } from './prepare/TrackingPreparer';
import { DocsBuildRunner } from './schedule/DocsBuildRunner';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 30 },
  initialDelay: { seconds: 20 },
};

/**
 * TechDocs that build here, offline, with Debian's mkdocs (module `opsdeck`
 * of the `techdocs` plugin): opsdeck's `dir:` preparer (a copy of the site,
 * content-hash etags), the MkDocs generator with opsdeck's configuration in
 * place of techdocs-core, an audit event per build (`docs-build`, read by
 * the weekly report) and a scheduled build of every entity's docs.
 *
 * @public
 */
export const techdocsModuleOpsdeck = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'opsdeck',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        urlReader: coreServices.urlReader,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        preparers: techdocsPreparerExtensionPoint,
        generators: techdocsGeneratorExtensionPoint,
      },
      async init(deps) {
        const { config, logger } = deps;
        const tracker = new BuildTracker();
        deps.preparers.registerPreparer(
          'dir',
          new OpsdeckDirectoryPreparer({
            config,
            reader: deps.urlReader,
            logger,
            tracker,
          }),
        );
        deps.preparers.registerPreparer(
          'url',
          new TrackingPreparer(
            UrlPreparer.fromConfig({ reader: deps.urlReader, logger }),
            tracker,
          ),
        );
        deps.generators.setTechdocsGenerator(
          new OpsdeckMkdocsGenerator({
            inner: TechdocsGenerator.fromConfig(config, { logger }),
            tracker,
            onGenerated: createDocsAuditor(deps.auditor, logger),
          }),
        );

        if (config.getOptionalBoolean('opsdeck.docs.build.enabled') === false) {
          return;
        }
        const key = 'opsdeck.docs.build.schedule';
        const schedule = config.has(key)
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig(key),
            )
          : DEFAULT_SCHEDULE;
        const runner = new DocsBuildRunner({
          catalog: deps.catalog,
          auth: deps.auth,
          discovery: deps.discovery,
          logger,
        });
        await deps.scheduler.scheduleTask({
          id: 'opsdeck-docs-build',
          scope: 'global',
          ...schedule,
          fn: async () => {
            await runner.buildAll();
          },
        });
      },
    });
  },
});
