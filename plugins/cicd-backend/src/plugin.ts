import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  cicdBuildReadPermission,
  cicdBuildRebuildPermission,
  cicdCauseManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { readCicdConfig } from './config';
import { CauseStore } from './database/CauseStore';
import { applyCicdMigrations } from './database/migrations';
import { JenkinsGateway } from './jenkins/JenkinsGateway';
import { BUILT_IN_CAUSES } from './locator/knowledgeBase';
import { CicdService } from './service/CicdService';
import { KnowledgeBase } from './service/knowledge';
import { createRouter } from './service/router';

/**
 * CI/CD (/api/cicd): Jenkins builds of catalog entities and a failure
 * locator that points at the lines explaining a failed build.
 *
 * @public
 */
export const cicdPlugin = createBackendPlugin({
  pluginId: 'cicd',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const config = readCicdConfig(deps.rootConfig);
        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) {
          await applyCicdMigrations(knex);
        }
        const gateway = new JenkinsGateway(config, async (instance, actor) => {
          if (!instance.credential) return undefined;
          // Taken out of the vault at each use; never logged or returned.
          const secret = await deps.vault.getSecret(instance.credential, {
            use: 'job-secret',
            for: { ref: `job:jenkins/${instance.name}` },
            actor,
          });
          if (secret.type !== 'password' || !secret.username) {
            throw new NotAllowedError(
              `Vault credential ${instance.credential} must be a password with a username (Jenkins user + API token)`,
            );
          }
          return { username: secret.username, token: secret.password };
        });
        const service = new CicdService({
          config,
          gateway,
          // built-in causes and the ones people stored (cicd_causes)
          knowledge: new KnowledgeBase(BUILT_IN_CAUSES, new CauseStore(knex)),
        });
        deps.permissionsRegistry.addPermissions([
          cicdBuildReadPermission,
          cicdBuildRebuildPermission,
          cicdCauseManagePermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            service,
            httpAuth: deps.httpAuth,
            auth: deps.auth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            catalog: deps.catalog,
            logger: deps.logger,
          }),
        );
      },
    });
  },
});
