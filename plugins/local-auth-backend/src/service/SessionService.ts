import { randomUUID } from 'node:crypto';
import { SessionStore } from '../database/SessionStore';
import { LocalAuthConfig } from '../lib/config';
import { hashSessionToken, newSessionToken } from '../lib/sessionCookie';
import { RequestInfo, SessionEndReason, SessionRecord } from '../model';

/** Server-side sign-in sessions: created at sign-in, checked at every token refresh. */
export class SessionService {
  constructor(
    private readonly store: SessionStore,
    private readonly config: Pick<
      LocalAuthConfig,
      'sessionSecret' | 'sessionDurationMs'
    >,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A new session; the token goes into the cookie and nowhere else. */
  async create(
    account: string,
    request: RequestInfo,
  ): Promise<{ id: string; token: string; expiresAt: number }> {
    const now = this.clock();
    const token = newSessionToken();
    const id = randomUUID();
    const expiresAt = now + this.config.sessionDurationMs;
    await this.store.create({
      id,
      tokenHash: hashSessionToken(token, this.config.sessionSecret),
      account,
      now,
      expiresAt,
      address: request.address,
      userAgent: request.userAgent,
    });
    return { id, token, expiresAt };
  }

  /** The live session of a cookie token (and records that it was seen). */
  async lookup(
    token: string,
    request: RequestInfo = {},
  ): Promise<SessionRecord | undefined> {
    const now = this.clock();
    const session = await this.store.findLiveByTokenHash(
      hashSessionToken(token, this.config.sessionSecret),
      now,
    );
    if (session) await this.store.touch(session.id, now, request.address);
    return session;
  }

  /** The live session with this id, when it belongs to `account`. */
  async live(id: string, account: string): Promise<SessionRecord | undefined> {
    const now = this.clock();
    const session = await this.store.findLive(id, now);
    if (!session || session.account !== account) return undefined;
    await this.store.touch(id, now);
    return session;
  }

  /**
   * Confirms a token refresh: the first one records the ownership refs, a later one with other
   * refs (a group, and so a role, changed) ends the session.
   */
  async confirm(
    id: string,
    ownership: string[],
  ): Promise<
    { status: 'ok' | 'not-live' } | { status: 'role-change'; account: string }
  > {
    const now = this.clock();
    const session = await this.store.findLive(id, now);
    if (!session) return { status: 'not-live' };
    const wanted = [...new Set(ownership)].sort();
    const recorded = await this.store.recordOwnership(id, wanted);
    if (recorded && JSON.stringify(recorded) !== JSON.stringify(wanted)) {
      await this.store.end(id, 'role-change', 'local-auth', now);
      return { status: 'role-change', account: session.account };
    }
    return { status: 'ok' };
  }

  end(id: string, reason: SessionEndReason, by: string): Promise<boolean> {
    return this.store.end(id, reason, by, this.clock());
  }

  /** Ends every live session of an account (but `exceptId`); the ids ended. */
  endAll(
    account: string,
    reason: SessionEndReason,
    by: string,
    exceptId?: string,
  ): Promise<string[]> {
    return this.store.endAllOf(account, reason, by, this.clock(), exceptId);
  }

  list(account?: string): Promise<SessionRecord[]> {
    return this.store.listLive(this.clock(), account);
  }

  /** Forgets sessions that ended or expired more than `keepMs` ago. */
  purge(keepMs: number): Promise<number> {
    return this.store.purge(this.clock() - keepMs);
  }
}
