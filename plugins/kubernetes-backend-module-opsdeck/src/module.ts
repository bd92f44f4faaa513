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
import {
  kubernetesAnyOwnerPermission,
  kubernetesDeploymentRestartPermission,
  kubernetesDeploymentScalePermission,
  kubernetesPodDeletePermission,
  kubernetesProdChangePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { runningDigestsServiceRef } from '@opsdeck/plugin-registry-node';
import { changeApprovalsServiceRef } from '@opsdeck/plugin-tickets-node';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import Router from 'express-promise-router';
import { withCaller } from './clusters/caller';
import { CatalogClusterSupplier } from './clusters/CatalogClusterSupplier';
import { VaultTokenStrategy } from './clusters/VaultTokenStrategy';
import { AUTH_PROVIDER } from './model';
import { OpsdeckFetcher } from './clusters/OpsdeckFetcher';
import { createActionsRouter } from './actions/router';
import { WorkloadActions } from './actions/WorkloadActions';
import { createReadProxy } from './proxy/readProxy';
import { scheduleRunningPods } from './running/schedule';

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
        // prod actions by people without kubernetes.prod.change: approved through a ticket
        approvals: changeApprovalsServiceRef,
        clusterSupplier: kubernetesClusterSupplierExtensionPoint,
        authStrategy: kubernetesAuthStrategyExtensionPoint,
        fetcher: kubernetesFetcherExtensionPoint,
        objectsProvider: kubernetesObjectsProviderExtensionPoint,
        router: kubernetesRouterExtensionPoint,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions([
          kubernetesDeploymentRestartPermission,
          kubernetesDeploymentScalePermission,
          kubernetesPodDeletePermission,
          kubernetesAnyOwnerPermission,
          kubernetesProdChangePermission,
        ]);
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
          router.use(
            '/opsdeck',
            createActionsRouter({
              actions: new WorkloadActions({
                catalog: deps.catalog,
                auth: deps.auth,
                userInfo: deps.userInfo,
                clusterSupplier,
                authStrategy,
              }),
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
