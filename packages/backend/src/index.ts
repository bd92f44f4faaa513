/**
 * The opsdeck backend: stock Backstage plugins plus opsdeck's own.
 * See docs/architecture.md for what each plugin does.
 */
import { createBackend } from '@backstage/backend-defaults';
import { opsdeckAuditorServiceFactory } from '@opsdeck/plugin-audit-backend';
import { localAuthProviderModule } from '@opsdeck/plugin-local-auth-backend';
import {
  catalogModuleOpsdeckResources,
  cmdbHubServiceFactory,
  searchModuleOpsdeckHosts,
} from '@opsdeck/plugin-cmdb-backend';
import { scaffolderModuleTickets } from '@opsdeck/plugin-tickets-backend';
import { userPermissionsServiceFactory } from '@opsdeck/plugin-permission-backend-module-opsdeck-policy';
import {
  createOpsdeckDatabaseServiceFactory,
  opsdeckRootHttpRouterServiceFactory,
  opsdeckSchedulerServiceFactory,
} from '@opsdeck/plugin-opsdeck-node';
import { searchModuleOpsdeckEngine } from '@opsdeck/plugin-techdocs-backend-module-opsdeck';
import {
  vaultServiceFactory,
  vaultStoreServiceFactory,
} from '@opsdeck/plugin-vault-backend';
import { stockFeatures } from './features';
import { stockPluginIds } from './stockPluginIds';
import { opsdeckRootConfigServiceFactory } from './safety/rootConfig';

const backend = createBackend();

// Config, then the production check: refuses to start with a missing, short or shipped
// secret, demo accounts or the demo catalog (README "Deploying safely").
backend.add(opsdeckRootConfigServiceFactory);

for (const feature of stockFeatures) {
  backend.add(feature);
}

// Backstage's database service; on embedded SQLite, the databases of opsdeck's plugins
// (every plugin the stock set lacks) run in WAL from their first statement (#15).
backend.add(
  createOpsdeckDatabaseServiceFactory({
    sqliteWal: pluginId => !stockPluginIds.has(pluginId),
  }),
);

// Error responses without stack traces or server paths outside development.
backend.add(opsdeckRootHttpRouterServiceFactory);

// Backstage's scheduler, its task API (list, trigger, cancel) for admins and backends only.
backend.add(opsdeckSchedulerServiceFactory);

// Every plugin's auditor also writes to the audit log (the Audit page).
backend.add(opsdeckAuditorServiceFactory);
backend.add(import('@opsdeck/plugin-audit-backend'));

// Local accounts (password + lockout) and the `opsdeck` sign-in provider.
backend.add(import('@opsdeck/plugin-local-auth-backend'));
backend.add(localAuthProviderModule);

// Roles from catalog groups; deny by default for opsdeck's permissions.
backend.add(import('@opsdeck/plugin-permission-backend-module-opsdeck-policy'));
// The same policy's decisions for a user who is not the caller (a schedule's
// owner at each tick).
backend.add(userPermissionsServiceFactory);

// Credentials vault: SSH keys and passwords, AES-256-GCM at rest, and the
// vault service (vaultServiceRef in @opsdeck/plugin-vault-node) through which
// the other plugins take secrets out, checked against each credential's policy;
// both share the one vault store of the backend (vaultStoreServiceFactory).
backend.add(vaultStoreServiceFactory);
backend.add(vaultServiceFactory);
backend.add(import('@opsdeck/plugin-vault-backend'));

// CMDB: the host index, fact collection over SSH, the host entity provider and
// the Resource validation in the catalog.
// The hub links the plugin to its catalog and search modules (one per backend).
backend.add(cmdbHubServiceFactory);
backend.add(import('@opsdeck/plugin-cmdb-backend'));
backend.add(catalogModuleOpsdeckResources);

// File library: resumable tus uploads, versions, verified distribution to hosts.
backend.add(import('@opsdeck/plugin-files-backend'));
// Search: hosts with their facts (OS, kernel, IPs, reachability), type opsdeck-host.
backend.add(searchModuleOpsdeckHosts);

// Bastion: web terminals over WebSocket to catalog hosts, access grants,
// recordings, command audit and rules, live sessions, TOTP step-up.
backend.add(import('@opsdeck/plugin-bastion-backend'));

// Scaffolder actions for opsdeck's templates (templates/): register and
// decommission hosts through the CMDB, as the requesting user.
backend.add(import('@opsdeck/plugin-scaffolder-backend-module-opsdeck'));

// Tickets: approval steps for templates, ticket inbox/history, and the
// fulfilment actions (database accounts, server access grants).
backend.add(import('@opsdeck/plugin-tickets-backend'));
backend.add(scaffolderModuleTickets);

// Databases: SQL review, approved changes with backup and rollback, query console with masking, slow queries.
backend.add(import('@opsdeck/plugin-sql-backend'));

// Jobs: script library, runs on catalog host selections over SSH, cron schedules, run history.
backend.add(import('@opsdeck/plugin-jobs-backend'));

// Knowledge base: TechDocs built offline with Debian's mkdocs (opsdeck's
// preparer and generator, scheduled builds, docs-build audit events), and a
// search engine that answers "no results" for a type without an index yet.
backend.add(import('@opsdeck/plugin-techdocs-backend-module-opsdeck'));
backend.add(searchModuleOpsdeckEngine);

// Weekly tech report: every Monday from the audit log and job runs, per team
// and org-wide; kept as history, mailed through SMTP, offered as Atom feeds.
backend.add(import('@opsdeck/plugin-report-backend'));
// Configuration management: nginx, redis and text configs as versioned
// templates pushed over SSH (validate on the host, swap, reload, check, revert)
backend.add(import('@opsdeck/plugin-config-backend'));

// CI/CD: Jenkins builds on catalog entities (several instances, folders,
// multibranch), rebuilds, and the failure locator (RE2 knowledge base).
backend.add(import('@opsdeck/plugin-cicd-backend'));

// Monitoring: Prometheus HTTP SD from the catalog and the alert router
// (Alertmanager webhook -> DingTalk, WeCom, Feishu, mail, webhooks, notifications)
backend.add(import('@opsdeck/plugin-monitoring-backend'));

// Image registries: Docker Registry v2 / OCI registries from the catalog
// (repositories, tags, per-platform manifests, guarded tag deletion, retention dry run)
backend.add(import('@opsdeck/plugin-registry-backend'));

// Kubernetes: Backstage's kubernetes backend with opsdeck's module (clusters
// are catalog resources, service-account tokens come from the vault at use,
// lists fetched over https, a read-only proxy for pod logs and events)
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@opsdeck/plugin-kubernetes-backend-module-opsdeck'));

backend.start();
