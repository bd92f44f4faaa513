import { IdentityApi } from '@backstage/frontend-plugin-api';

type ProfileInfo = Awaited<ReturnType<IdentityApi['getProfileInfo']>>;

/** Older callers may still use these; ProxiedSignInPage's identity has them. */
type CompatibilityIdentityApi = IdentityApi & {
  getUserId?(): string;
  getIdToken?(): Promise<string | undefined>;
  getProfile?(): ProfileInfo;
};

/** How often an open tab asks whether its session is still live. */
export const SESSION_CHECK_INTERVAL_MS = 20_000;

/** sessionStorage key: set when the tab was signed out because its session ended. */
export const SESSION_ENDED_KEY = 'opsdeck-session-ended';

/**
 * Wraps the identity from the `opsdeck` proxy provider so that signing out
 * (Settings → Sign out) also ends the server-side session and clears the
 * `opsdeck_session` cookie; otherwise the next page load would sign the user
 * straight back in. While the tab is open it asks `/api/local-auth/me/session`
 * every 20 seconds (and when the tab comes back into view) whether the session
 * its token was minted for is still live; once it ended (sign out everywhere,
 * password reset, lock, role change, logout elsewhere) the tab signs out.
 */
export class SessionCookieIdentity implements CompatibilityIdentityApi {
  private timer?: ReturnType<typeof setInterval>;
  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') void this.checkSession();
  };

  constructor(
    private readonly inner: CompatibilityIdentityApi,
    private readonly clearSession: () => Promise<void>,
    private readonly sessionUrl?: () => Promise<string>,
    private readonly onEnded: () => void = () => window.location.reload(),
  ) {}

  /** Starts the session check (the sign-in page does once signed in). */
  watchSession(intervalMs = SESSION_CHECK_INTERVAL_MS): void {
    if (!this.sessionUrl || this.timer) return;
    this.timer = setInterval(() => void this.checkSession(), intervalMs);
    document.addEventListener('visibilitychange', this.onVisible);
  }

  private stopWatching() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  /** Asks once; signs the tab out when the backend says the session ended (401). */
  async checkSession(): Promise<'live' | 'ended' | 'unknown'> {
    if (!this.sessionUrl) return 'unknown';
    let status: number;
    try {
      const { token } = await this.inner.getCredentials();
      const response = await fetch(await this.sessionUrl(), {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        credentials: 'include',
      });
      status = response.status;
    } catch {
      return 'unknown'; // offline or backend restarting: ask again later
    }
    if (status !== 401) return status === 200 ? 'live' : 'unknown';
    this.stopWatching();
    try {
      window.sessionStorage.setItem(SESSION_ENDED_KEY, '1');
    } catch {
      // storage unavailable: the sign-in page just shows no reason
    }
    await this.signOut().catch(() => undefined);
    this.onEnded();
    return 'ended';
  }

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
    this.stopWatching();
    try {
      await this.clearSession();
    } finally {
      await this.inner.signOut();
    }
  }
}

/** POST /api/local-auth/logout, which ends the session and clears its cookie. */
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
