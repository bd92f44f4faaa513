import {
  AuthService,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** Claim of a Backstage user token that names the local-auth session it was minted for. */
export const LOCAL_AUTH_SESSION_CLAIM = 'opsdeck_sid';

/** Where a request came from, for session records and the per-address throttle. */
export interface SessionRequestInfo {
  /** The client's address as the backend sees it (`req.ip`; honours backend.trustProxy). */
  address?: string;
  userAgent?: string;
}

/** A live session found by its cookie token. */
export interface SessionLookup {
  /** Public session id (never the cookie token); goes into the Backstage token. */
  id: string;
  /** The local account (catalog User entity name). */
  account: string;
}

/**
 * What other backend plugins may ask of local accounts. Calls go to the local-auth plugin's
 * service-only routes (`/api/local-auth/internal/...`) with the caller's plugin token.
 */
export interface LocalAuthService {
  /**
   * Checks a user's local password again, e.g. before TOTP enrolment. It counts like a sign-in
   * attempt: wrong answers count toward the account's lockout and the address throttle, and a
   * locked account answers false whatever the password. False too when the user has no local
   * account.
   */
  verifyPassword(options: {
    userEntityRef: string;
    password: string;
    request?: SessionRequestInfo;
  }): Promise<boolean>;

  /**
   * The live session behind an `opsdeck_session` cookie token, or undefined when it is unknown,
   * ended or expired (for the `opsdeck` sign-in provider; only the auth plugin may call it).
   */
  lookupSession(
    token: string,
    request?: SessionRequestInfo,
  ): Promise<SessionLookup | undefined>;

  /**
   * Confirms the session for a token refresh with the user's current ownership refs. The first
   * refresh records them; when they differ later (a group, and so a role, changed) the session
   * ends and this answers false (only the auth plugin may call it).
   */
  confirmSession(
    sessionId: string,
    ownershipEntityRefs: string[],
  ): Promise<boolean>;
}

/** LocalAuthService over HTTP to the local-auth plugin. */
export class DefaultLocalAuthService implements LocalAuthService {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  async verifyPassword(options: {
    userEntityRef: string;
    password: string;
    request?: SessionRequestInfo;
  }): Promise<boolean> {
    const body = await this.post<{ ok: boolean }>('/internal/verify-password', {
      userEntityRef: options.userEntityRef,
      password: options.password,
      ...options.request,
    });
    return body.ok === true;
  }

  async lookupSession(
    token: string,
    request?: SessionRequestInfo,
  ): Promise<SessionLookup | undefined> {
    const body = await this.post<{ session?: SessionLookup }>(
      '/internal/sessions/lookup',
      { token, ...request },
    );
    return body.session;
  }

  async confirmSession(
    sessionId: string,
    ownershipEntityRefs: string[],
  ): Promise<boolean> {
    const body = await this.post<{ ok: boolean }>(
      '/internal/sessions/confirm',
      { sessionId, ownershipEntityRefs },
    );
    return body.ok === true;
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const baseUrl = await this.discovery.getBaseUrl('local-auth');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'local-auth',
    });
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** The local-auth service API; the default implementation calls the local-auth plugin. */
export const localAuthServiceRef = createServiceRef<LocalAuthService>({
  id: 'opsdeck.local-auth',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      factory: ({ discovery, auth }) =>
        new DefaultLocalAuthService(discovery, auth),
    }),
});
