import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { hostsServiceRef } from '@opsdeck/plugin-cmdb-node';
import {
  filesDistributePermission,
  filesFileDeletePermission,
  filesFileReadPermission,
  filesFileUploadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { remoteNodeServiceRef } from '@opsdeck/plugin-remote-node';
import {
  secretTargetsFromCatalog,
  vaultServiceRef,
} from '@opsdeck/plugin-vault-node';
import { allowedRootsFor, readFilesConfig } from './config';
import { DatabaseDistributionStore } from './database/DatabaseDistributionStore';
import { DatabaseFileLibrary } from './database/DatabaseFileLibrary';
import { applyFilesMigrations } from './database/migrations';
import { Distributor } from './distribution/Distributor';
import { createRouter } from './service/router';
import { createOwnerGroupCheck } from './upload/ownerGroup';
import { createTusUploads } from './upload/tusUploads';
import { DatabaseUploadLocker } from './upload/DatabaseUploadLocker';
import { createLocalStorage } from './storage/localStorage';
import { createS3Storage } from './storage/s3Storage';
import { hostname } from 'node:os';

/**
 * The files plugin: resumable uploads (tus) into the file library, versions,
 * and verified distribution to catalog hosts over SSH, at /api/files.
 *
 * @public
 */
export const filesPlugin = createBackendPlugin({
  pluginId: 'files',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        hosts: hostsServiceRef,
        ssh: remoteNodeServiceRef,
        auth: coreServices.auth,
        vault: vaultServiceRef,
      },
      async init(deps) {
        const config = readFilesConfig(deps.rootConfig);
        const knex = await deps.database.getClient();
        if (!deps.database.migrations?.skip) {
          await applyFilesMigrations(knex);
        }
        const library = new DatabaseFileLibrary(knex);
        const distributions = new DatabaseDistributionStore(knex);

        const storage =
          config.storage.type === 's3'
            ? createS3Storage({
                ...config.storage.s3,
                incompleteUploadExpiryMs: config.incompleteUploadExpiryMs,
              })
            : createLocalStorage({
                directory: config.storage.directory,
                incompleteUploadExpiryMs: config.incompleteUploadExpiryMs,
              });
        deps.logger.info(`File storage: ${storage.kind}`);
        const uploads = createTusUploads({
          storage,
          maxUploadBytes: config.maxUploadBytes,
          library,
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          auditor: deps.auditor,
          logger: deps.logger,
          // Upload locks in the database: any replica may take any request.
          locker: new DatabaseUploadLocker(knex, {
            instanceId: `${hostname()}:${process.pid}`,
            onError: e =>
              deps.logger.warn(`Could not renew an upload lock: ${e.message}`),
          }),
          checkOwnerGroup: createOwnerGroupCheck(deps.userInfo),
          async onStored(file) {
            if (config.keepVersions <= 0) return;
            // Retention: drop versions beyond the newest `keepVersions`.
            for (const old of await library.olderVersions(
              file.name,
              config.keepVersions,
            )) {
              await library.delete(old.id);
              await storage.remove(old.storageKey);
              deps.logger.info(
                `Retention removed ${old.name} v${old.version} (keeping ${config.keepVersions})`,
              );
            }
          },
        });

        const distributor = new Distributor({
          store: distributions,
          library,
          ssh: deps.ssh,
          vault: deps.vault,
          hostTargets: async refs =>
            secretTargetsFromCatalog(
              deps.catalog,
              await deps.auth.getOwnServiceCredentials(),
              refs,
            ),
          openStored: (key, start) => storage.open(key, start),
          allowedRoots: environment =>
            allowedRootsFor(config.allowedRoots, environment),
          logger: deps.logger,
          attempts: config.attempts,
          commandTimeoutMs: config.commandTimeoutMs,
          defaultCredential: config.defaultCredential,
        });
        deps.lifecycle.addShutdownHook(() => distributor.stop());
        // Distributions cut short by a restart go on where they stopped.
        deps.lifecycle.addStartupHook(async () => {
          await distributor.resumeInterrupted();
        });

        await deps.scheduler.scheduleTask({
          id: 'files-expire-incomplete-uploads',
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 5 },
          fn: async () => {
            const n = await uploads.cleanUpExpired();
            if (n > 0)
              deps.logger.info(`Removed ${n} expired incomplete uploads`);
          },
        });

        deps.permissionsRegistry.addPermissions([
          filesFileReadPermission,
          filesFileUploadPermission,
          filesFileDeletePermission,
          filesDistributePermission,
        ]);
        deps.httpRouter.use(
          await createRouter({
            library,
            distributions,
            distributor,
            hosts: deps.hosts,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            uploads: uploads.router,
            openStored: key => storage.open(key),
            removeStored: key => storage.remove(key),
            defaultConcurrency: config.defaultConcurrency,
            maxConcurrency: config.maxConcurrency,
            allowedRoots: environment =>
              allowedRootsFor(config.allowedRoots, environment),
          }),
        );
      },
    });
  },
});
