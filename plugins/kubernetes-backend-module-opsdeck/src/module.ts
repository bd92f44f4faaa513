import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  kubernetesAuthStrategyExtensionPoint,
  kubernetesClusterSupplierExtensionPoint,
  kubernetesFetcherExtensionPoint,
  kubernetesObjectsProviderExtensionPoint,
  kubernetesRouterExtensionPoint,
  type KubernetesObjectsProvider,
} from '@backstage/plugin-kubernetes-node';
import { kubernetesPermissions } from '@opsdeck/plugin-opsdeck-common';
import { createRateLimiter } from '@opsdeck/plugin-opsdeck-node';
import {
  imageResolverServiceRef,
  runningDigestsServiceRef,
} from '@opsdeck/plugin-registry-node';
import { changeApprovalsServiceRef } from '@opsdeck/plugin-tickets-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import Router from 'express-promise-router';
import { withCaller } from './clusters/caller';
import { CatalogClusterSupplier } from './clusters/CatalogClusterSupplier';
import { VaultTokenStrategy } from './clusters/VaultTokenStrategy';
import { AUTH_PROVIDER } from './model';
import { OpsdeckFetcher } from './clusters/OpsdeckFetcher';
import { createActionsRouter } from './actions/router';
import { DeployActions } from './actions/DeployActions';
import { WorkloadActions } from './actions/WorkloadActions';
import { createReadProxy } from './proxy/readProxy';
import { scheduleRunningPods } from './running/schedule';

/** Config key: milliseconds between two reads of a rollout being watched (default 2000). */
export const ROLLOUT_POLL_KEY = 'opsdeck.kubernetes.rollout.pollMillis';

/** Config key: rollout reads one person may make per minute (default 120). */
export const ROLLOUT_READS_KEY = 'opsdeck.kubernetes.rollout.readsPerMinute';

/** Runs every call of `inner` as the caller its options name. */
function asCaller(inner: KubernetesObjectsProvider): KubernetesObjectsProvider {
  return {
    getKubernetesObjectsByEntity: (request, options) =>
      withCaller(options.credentials, () =>
        inner.getKubernetesObjectsByEntity(request, options),
      ),
    getCustomResourcesByEntity: (request, options) =>
      withCaller(options.credentials, () =>
        inner.getCustomResourcesByEntity(request, options),
      ),
  };
}

/**
 * opsdeck's module of the Kubernetes backend: clusters are catalog
 * resources (`spec.type: kubernetes-cluster`), their service-account tokens
 * are taken out of the vault at each use on behalf of the person asking,
 * the lists are fetched by {@link OpsdeckFetcher} and the proxy only reads
 * pod logs and events ({@link createReadProxy}).
 *
 * @public
 */
export const kubernetesModuleOpsdeck = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'opsdeck',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        // the rollout reads' rate limit counters (opsdeck-node's table)
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
        userInfo: coreServices.userInfo,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        vault: vaultServiceRef,
        // where image digests run (src/running): pods of every cluster
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        running: runningDigestsServiceRef,
        // image tags resolved to digests in registries opsdeck knows, as the person
        images: imageResolverServiceRef,
        // prod actions by people without kubernetes.prod.change: approved through a ticket
        approvals: changeApprovalsServiceRef,
        clusterSupplier: kubernetesClusterSupplierExtensionPoint,
        authStrategy: kubernetesAuthStrategyExtensionPoint,
        fetcher: kubernetesFetcherExtensionPoint,
        objectsProvider: kubernetesObjectsProviderExtensionPoint,
        router: kubernetesRouterExtensionPoint,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions(kubernetesPermissions);
        const pollMs = deps.config.getOptionalNumber(ROLLOUT_POLL_KEY) ?? 2000;
        if (!Number.isInteger(pollMs) || pollMs < 1 || pollMs > 60_000) {
          throw new Error(
            `${ROLLOUT_POLL_KEY} must be a whole number from 1 to 60000`,
          );
        }
        const readsPerMinute =
          deps.config.getOptionalNumber(ROLLOUT_READS_KEY) ?? 120;
        if (!Number.isInteger(readsPerMinute) || readsPerMinute < 1) {
          throw new Error(`${ROLLOUT_READS_KEY} must be a whole number from 1`);
        }
        const rolloutReads = await createRateLimiter(
          await deps.database.getClient(),
          {
            code: 'kubernetes-rate-limited',
            limit: readsPerMinute,
            windowMs: 60_000,
          },
        );
        const clusterSupplier = new CatalogClusterSupplier({
          catalog: deps.catalog,
          logger: deps.logger,
        });
        const authStrategy = new VaultTokenStrategy(deps.vault);
        deps.clusterSupplier.addClusterSupplier(clusterSupplier);
        deps.authStrategy.addAuthStrategy(AUTH_PROVIDER, authStrategy);
        deps.fetcher.addFetcher(new OpsdeckFetcher());
        await scheduleRunningPods({ ...deps, clusters: clusterSupplier });
        deps.objectsProvider.addObjectsProvider(async ({ getDefault }) =>
          asCaller(await getDefault()),
        );
        deps.router.addRouter(({ getDefault }) => {
          const router = Router();
          // Answers every /proxy request itself: the backend's proxy is never reached.
          router.use(
            '/proxy',
            createReadProxy({
              httpAuth: deps.httpAuth,
              permissions: deps.permissions,
              auditor: deps.auditor,
              catalog: deps.catalog,
              clusterSupplier,
              authStrategy,
            }),
          );
          const workloads = new WorkloadActions({
            catalog: deps.catalog,
            auth: deps.auth,
            userInfo: deps.userInfo,
            clusterSupplier,
            authStrategy,
          });
          router.use(
            '/opsdeck',
            createActionsRouter({
              actions: workloads,
              deploys: new DeployActions({ workloads, pollMs }),
              rolloutReads,
              images: deps.images,
              httpAuth: deps.httpAuth,
              permissions: deps.permissions,
              auditor: deps.auditor,
              logger: deps.logger,
              approvals: deps.approvals,
            }),
          );
          router.use(getDefault());
          return router;
        });
      },
    });
  },
});
