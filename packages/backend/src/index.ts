/**
 * The opsdeck backend: stock Backstage plugins plus opsdeck's own.
 * See docs/architecture.md for what each plugin does.
 */
import { createBackend } from '@backstage/backend-defaults';
import { opsdeckAuditorServiceFactory } from '@opsdeck/plugin-audit-backend';
import { localAuthProviderModule } from '@opsdeck/plugin-local-auth-backend';
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

backend.start();
