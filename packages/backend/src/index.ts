/**
 * The opsdeck backend: stock Backstage plugins plus opsdeck's own.
 * See docs/architecture.md for what each plugin does.
 */
import { createBackend } from '@backstage/backend-defaults';
import { opsdeckAuditorServiceFactory } from '@opsdeck/plugin-audit-backend';
import { localAuthProviderModule } from '@opsdeck/plugin-local-auth-backend';
import { catalogModuleOpsdeckResources } from '@opsdeck/plugin-cmdb-backend';
import { stockFeatures } from './features';

const backend = createBackend();

for (const feature of stockFeatures) {
  backend.add(feature);
}

// Every plugin's auditor also writes to the audit log (the Audit page).
backend.add(opsdeckAuditorServiceFactory);
backend.add(import('@opsdeck/plugin-audit-backend'));

// Local accounts (password + lockout) and the `opsdeck` sign-in provider.
backend.add(import('@opsdeck/plugin-local-auth-backend'));
backend.add(localAuthProviderModule);

// Roles from catalog groups; deny by default for opsdeck's permissions.
backend.add(import('@opsdeck/plugin-permission-backend-module-opsdeck-policy'));

// Credentials vault: SSH keys and passwords, AES-256-GCM at rest.
backend.add(import('@opsdeck/plugin-vault-backend'));

// CMDB: the host index, fact collection over SSH, the host entity provider and
// the Resource validation in the catalog.
backend.add(import('@opsdeck/plugin-cmdb-backend'));
backend.add(catalogModuleOpsdeckResources);

// Scaffolder actions for opsdeck's templates (templates/): register and
// decommission hosts through the CMDB, as the requesting user.
backend.add(import('@opsdeck/plugin-scaffolder-backend-module-opsdeck'));

backend.start();
