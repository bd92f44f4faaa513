/**
 * opsdeck's backend with only some of its feature plugins, for tests that start
 * real backend processes (the crash-point suite in src/crash/): fewer modules to
 * load, so each start is quicker. The core is always there: sign-in (local
 * accounts), the catalog with opsdeck's Resource validation, the permission
 * policy, the audit log, the vault and the CMDB (whose host index every feature
 * resolves hosts from). The feature groups named in
 * `OPSDECK_BACKEND_PLUGINS` (comma-separated, e.g. `jobs,tickets`) are added;
 * `all` adds every group. Production uses src/index.ts.
 */
import { createBackend } from '@backstage/backend-defaults';
import { opsdeckAuditorServiceFactory } from '@opsdeck/plugin-audit-backend';
import { localAuthProviderModule } from '@opsdeck/plugin-local-auth-backend';
import {
  catalogModuleOpsdeckResources,
  cmdbHubServiceFactory,
} from '@opsdeck/plugin-cmdb-backend';
import { scaffolderModuleTickets } from '@opsdeck/plugin-tickets-backend';
import {
  vaultServiceFactory,
  vaultStoreServiceFactory,
} from '@opsdeck/plugin-vault-backend';
import { userPermissionsServiceFactory } from '@opsdeck/plugin-permission-backend-module-opsdeck-policy';
import { createOpsdeckDatabaseServiceFactory } from '@opsdeck/plugin-opsdeck-node';
import { stockPluginIds } from './stockPluginIds';
import { schemaCacheRootLogger } from './schemaCacheRootLogger';

const backend = createBackend();

/** A feature group: what one opsdeck feature needs beyond the core. */
const groups: Record<string, () => Parameters<typeof backend.add>[0][]> = {
  jobs: () => [import('@opsdeck/plugin-jobs-backend')],
  tickets: () => [
    import('@backstage/plugin-scaffolder-backend'),
    import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
    import('@opsdeck/plugin-scaffolder-backend-module-opsdeck'),
    import('@opsdeck/plugin-tickets-backend'),
    scaffolderModuleTickets,
  ],
  bastion: () => [import('@opsdeck/plugin-bastion-backend')],
  files: () => [import('@opsdeck/plugin-files-backend')],
  // in the core: every feature resolves hosts through it
  cmdb: () => [],
  sql: () => [import('@opsdeck/plugin-sql-backend')],
};

// a test starting many backends collects the config schema once
if (process.env.OPSDECK_CONFIG_SCHEMA_CACHE) {
  backend.add(schemaCacheRootLogger(process.env.OPSDECK_CONFIG_SCHEMA_CACHE));
}
// the same database service as src/index.ts
backend.add(
  createOpsdeckDatabaseServiceFactory({
    sqliteWal: pluginId => !stockPluginIds.has(pluginId),
  }),
);
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(opsdeckAuditorServiceFactory);
backend.add(import('@opsdeck/plugin-audit-backend'));
backend.add(import('@opsdeck/plugin-local-auth-backend'));
backend.add(localAuthProviderModule);
backend.add(import('@opsdeck/plugin-permission-backend-module-opsdeck-policy'));
backend.add(userPermissionsServiceFactory);
// the vault service (vaultServiceRef) the feature plugins take secrets through
backend.add(vaultStoreServiceFactory);
backend.add(vaultServiceFactory);
backend.add(import('@opsdeck/plugin-vault-backend'));
backend.add(cmdbHubServiceFactory);
backend.add(import('@opsdeck/plugin-cmdb-backend'));
backend.add(catalogModuleOpsdeckResources);

const wanted = (process.env.OPSDECK_BACKEND_PLUGINS ?? '')
  .split(',')
  .map(s => s.trim())
  .filter(Boolean);
const names = wanted.includes('all') ? Object.keys(groups) : wanted;
for (const name of names) {
  const group = groups[name];
  if (!group) {
    throw new Error(
      `OPSDECK_BACKEND_PLUGINS names '${name}'; known: ${Object.keys(
        groups,
      ).join(', ')}`,
    );
  }
  for (const feature of group()) backend.add(feature);
}

backend.start();
