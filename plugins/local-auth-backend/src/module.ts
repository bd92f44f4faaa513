import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import { readLocalAuthConfig } from './lib/config';
import { readSessionFromCookieHeader } from './lib/sessionToken';

/** What the `opsdeck` provider learns from a valid session cookie. */
export interface OpsdeckSessionResult {
  username: string;
}

/** Reads and verifies the `opsdeck_session` cookie of the refresh request. */
export function createOpsdeckSessionAuthenticator(sessionSecret: string) {
  return createProxyAuthenticator<unknown, OpsdeckSessionResult, undefined>({
    defaultProfileTransform: async result => ({
      profile: { displayName: result.username },
    }),
    initialize() {
      return undefined;
    },
    async authenticate({ req }) {
      const session = readSessionFromCookieHeader(
        req.headers.cookie,
        sessionSecret,
      );
      if (!session) {
        throw new AuthenticationError(
          'No valid opsdeck session; sign in with your username and password',
        );
      }
      return { result: { username: session.username } };
    },
  });
}

/** Signs in as the catalog User entity whose name is the account name. */
export const opsdeckSignInResolver: SignInResolver<
  OpsdeckSessionResult
> = async ({ result }, ctx) =>
  ctx.signInWithCatalogUser({ entityRef: { name: result.username } });

/**
 * Auth provider `opsdeck` for the auth plugin: GET /api/auth/opsdeck/refresh
 * turns a valid `opsdeck_session` cookie into a Backstage identity.
 */
export const localAuthProviderModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'opsdeck-local-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        rootConfig: coreServices.rootConfig,
      },
      async init({ providers, rootConfig }) {
        const { sessionSecret } = readLocalAuthConfig(rootConfig);
        providers.registerProvider({
          providerId: 'opsdeck',
          factory: createProxyAuthProviderFactory({
            authenticator: createOpsdeckSessionAuthenticator(sessionSecret),
            profileTransform: async result => ({
              profile: { displayName: result.username },
            }),
            signInResolver: opsdeckSignInResolver,
          }),
        });
      },
    });
  },
});
