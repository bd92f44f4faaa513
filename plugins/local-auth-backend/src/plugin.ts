import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  localAccountChangeOwnPasswordPermission,
  localAccountManagePermission,
  localAccountReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import { createLocalAuthStores } from './database/DatabaseAccountStore';
import { readLocalAuthConfig } from './lib/config';
import { AccountService } from './service/AccountService';
import { createRouter } from './service/router';
import { SessionService } from './service/SessionService';

/** How long ended or expired sessions stay listed in the database. */
const KEEP_ENDED_SESSIONS_MS = 30 * 24 * 3600_000;

/**
 * Local password accounts: sign-in with lockout and address throttle, server-side sessions
 * (the cookie the `opsdeck` auth provider reads), and admin routes for accounts and sessions.
 */
export const localAuthPlugin = createBackendPlugin({
  pluginId: 'local-auth',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        scheduler: coreServices.scheduler,
        rootLifecycle: coreServices.rootLifecycle,
      },
      async init({
        rootConfig,
        logger,
        database,
        httpRouter,
        httpAuth,
        permissions,
        permissionsRegistry,
        auditor,
        scheduler,
        rootLifecycle,
      }) {
        const config = readLocalAuthConfig(rootConfig);
        const stores = await createLocalAuthStores({ database });
        const sessions = new SessionService(stores.sessions, config);
        const accounts = new AccountService(
          stores.accounts,
          stores.attempts,
          sessions,
          config,
          logger,
          { hashParams: config.hashParams },
        );
        // once every plugin has started (the backend is ready then); requests wait for it (the router)
        const everyPluginStarted = new Promise<void>(resolve =>
          rootLifecycle.addStartupHook(() => resolve()),
        );
        accounts.startSeeding(config.seedUsers, everyPluginStarted).then(
          created => {
            if (created.length > 0) {
              logger.info(`Created seed accounts: ${created.join(', ')}`);
            }
          },
          error => logger.error(`Seed accounts not created: ${error}`),
        );
        await scheduler.scheduleTask({
          id: 'local-auth-purge',
          frequency: { hours: 1 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const now = Date.now();
            await sessions.purge(KEEP_ENDED_SESSIONS_MS);
            await stores.attempts.purge(
              now - Math.max(config.lockoutMs, config.addressWindowMs),
            );
          },
        });
        permissionsRegistry.addPermissions([
          localAccountReadPermission,
          localAccountManagePermission,
          localAccountChangeOwnPasswordPermission,
        ]);
        httpRouter.use(
          await createRouter({
            accounts,
            sessions,
            config,
            httpAuth,
            permissions,
            auditor,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/login', allow: 'unauthenticated' });
        httpRouter.addAuthPolicy({ path: '/logout', allow: 'unauthenticated' });
      },
    });
  },
});
