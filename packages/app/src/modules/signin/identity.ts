import { IdentityApi } from '@backstage/frontend-plugin-api';

type ProfileInfo = Awaited<ReturnType<IdentityApi['getProfileInfo']>>;

/** Older callers may still use these; ProxiedSignInPage's identity has them. */
type CompatibilityIdentityApi = IdentityApi & {
  getUserId?(): string;
  getIdToken?(): Promise<string | undefined>;
  getProfile?(): ProfileInfo;
};

/**
 * Wraps the identity from the `opsdeck` proxy provider so that signing out
 * (Settings → Sign out) also clears the `opsdeck_session` cookie; otherwise
 * the next page load would sign the user straight back in.
 */
export class SessionCookieIdentity implements CompatibilityIdentityApi {
  constructor(
    private readonly inner: CompatibilityIdentityApi,
    private readonly clearSession: () => Promise<void>,
  ) {}

  getProfileInfo() {
    return this.inner.getProfileInfo();
  }

  getBackstageIdentity() {
    return this.inner.getBackstageIdentity();
  }

  getCredentials() {
    return this.inner.getCredentials();
  }

  getUserId(): string {
    if (!this.inner.getUserId) {
      throw new Error('IdentityApi does not implement getUserId');
    }
    return this.inner.getUserId();
  }

  getProfile(): ProfileInfo {
    if (!this.inner.getProfile) {
      throw new Error('IdentityApi does not implement getProfile');
    }
    return this.inner.getProfile();
  }

  async getIdToken(): Promise<string | undefined> {
    return this.inner.getIdToken
      ? this.inner.getIdToken()
      : (await this.inner.getCredentials()).token;
  }

  async signOut(): Promise<void> {
    try {
      await this.clearSession();
    } finally {
      await this.inner.signOut();
    }
  }
}

/** POST /api/local-auth/logout, which clears the session cookie. */
export async function postLogout(localAuthBaseUrl: string): Promise<void> {
  try {
    await fetch(`${localAuthBaseUrl}/logout`, {
      method: 'POST',
      credentials: 'include',
    });
  } catch {
    // Offline or backend down: still sign out of the app.
  }
}
