import { createBackendModule } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { AuthenticationError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
  SignInResolver,
} from '@backstage/plugin-auth-node';
import {
  LOCAL_AUTH_SESSION_CLAIM,
  LocalAuthService,
  localAuthServiceRef,
} from '@opsdeck/plugin-local-auth-node';
import { readSessionToken } from './lib/sessionCookie';

/** What the `opsdeck` provider learns from a live session cookie. */
export interface OpsdeckSessionResult {
  username: string;
  sessionId: string;
}

/**
 * Reads the `opsdeck_session` cookie of the refresh request and asks local-auth for its live
 * session row: an ended (logout, reset, lock, sign out everywhere) or expired session mints no
 * token.
 */
export function createOpsdeckSessionAuthenticator(localAuth: LocalAuthService) {
  return createProxyAuthenticator<unknown, OpsdeckSessionResult, undefined>({
    defaultProfileTransform: async result => ({
      profile: { displayName: result.username },
    }),
    initialize() {
      return undefined;
    },
    async authenticate({ req }) {
      const token = readSessionToken(req.headers.cookie);
      const session = token
        ? await localAuth.lookupSession(token, {
            address: req.ip,
            userAgent: req.headers['user-agent'],
          })
        : undefined;
      if (!session) {
        throw new AuthenticationError(
          'No valid opsdeck session; sign in with your username and password',
        );
      }
      return {
        result: { username: session.account, sessionId: session.id },
      };
    },
  });
}

/**
 * Signs in as the catalog User entity whose name is the account name. The token carries the
 * session id (claim `opsdeck_sid`); the first refresh records the user's ownership refs and a
 * later one with other refs (a changed group, so a changed role) ends the session.
 */
export function createOpsdeckSignInResolver(
  localAuth: LocalAuthService,
): SignInResolver<OpsdeckSessionResult> {
  return async ({ result }, ctx) => {
    const { entity } = await ctx.findCatalogUser({
      entityRef: { name: result.username },
    });
    const { ownershipEntityRefs } = await ctx.resolveOwnershipEntityRefs(
      entity,
    );
    if (
      !(await localAuth.confirmSession(result.sessionId, ownershipEntityRefs))
    ) {
      throw new AuthenticationError(
        'Your opsdeck session has ended (signed out, or your groups changed); sign in again',
      );
    }
    return ctx.issueToken({
      claims: {
        sub: stringifyEntityRef(entity),
        ent: ownershipEntityRefs,
        [LOCAL_AUTH_SESSION_CLAIM]: result.sessionId,
      },
    });
  };
}

/**
 * Auth provider `opsdeck` for the auth plugin: GET /api/auth/opsdeck/refresh turns a live
 * `opsdeck_session` cookie into a Backstage identity.
 */
export const localAuthProviderModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'opsdeck-local-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        localAuth: localAuthServiceRef,
      },
      async init({ providers, localAuth }) {
        providers.registerProvider({
          providerId: 'opsdeck',
          factory: createProxyAuthProviderFactory({
            authenticator: createOpsdeckSessionAuthenticator(localAuth),
            profileTransform: async result => ({
              profile: { displayName: result.username },
            }),
            signInResolver: createOpsdeckSignInResolver(localAuth),
          }),
        });
      },
    });
  },
});
