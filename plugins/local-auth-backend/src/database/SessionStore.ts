import { Knex } from 'knex';
import { SessionEndReason, SessionRecord } from '../model';
import { toMs } from './dates';

const TABLE = 'local_auth_sessions';

type Row = {
  id: string;
  token_hash: string;
  account: string;
  created_at: number | string;
  expires_at: number | string;
  last_seen_at: number | string;
  address: string | null;
  last_address: string | null;
  user_agent: string | null;
  ownership: string | null;
  ended_at: number | string | null;
  end_reason: string | null;
  ended_by: string | null;
};

function toSession(row: Row): SessionRecord {
  return {
    id: row.id,
    account: row.account,
    createdAt: toMs(row.created_at)!,
    expiresAt: toMs(row.expires_at)!,
    lastSeenAt: toMs(row.last_seen_at)!,
    address: row.address ?? undefined,
    lastAddress: row.last_address ?? undefined,
    userAgent: row.user_agent ?? undefined,
    ownership: row.ownership ? JSON.parse(row.ownership) : undefined,
    endedAt: toMs(row.ended_at),
    endReason: row.end_reason ?? undefined,
    endedBy: row.ended_by ?? undefined,
  };
}

/** Only write "last seen" when it is older than this, so polling stays read-only. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** Sign-in sessions on the plugin's database. */
export class SessionStore {
  constructor(private readonly db: Knex) {}

  async create(session: {
    id: string;
    tokenHash: string;
    account: string;
    now: number;
    expiresAt: number;
    address?: string;
    userAgent?: string;
  }): Promise<void> {
    await this.db<Row>(TABLE).insert({
      id: session.id,
      token_hash: session.tokenHash,
      account: session.account,
      created_at: session.now,
      expires_at: session.expiresAt,
      last_seen_at: session.now,
      address: session.address ?? null,
      last_address: session.address ?? null,
      user_agent: session.userAgent?.slice(0, 1000) ?? null,
    });
  }

  /** The live (not ended, not expired) session with this token hash. */
  async findLiveByTokenHash(
    tokenHash: string,
    now: number,
  ): Promise<SessionRecord | undefined> {
    const row = await this.db<Row>(TABLE)
      .where({ token_hash: tokenHash })
      .whereNull('ended_at')
      .where('expires_at', '>', now)
      .first();
    return row ? toSession(row) : undefined;
  }

  /** The live session with this id. */
  async findLive(id: string, now: number): Promise<SessionRecord | undefined> {
    const row = await this.db<Row>(TABLE)
      .where({ id })
      .whereNull('ended_at')
      .where('expires_at', '>', now)
      .first();
    return row ? toSession(row) : undefined;
  }

  /** Records activity, at most once per LAST_SEEN_RESOLUTION_MS. */
  async touch(id: string, now: number, address?: string): Promise<void> {
    await this.db<Row>(TABLE)
      .where({ id })
      .where('last_seen_at', '<', now - LAST_SEEN_RESOLUTION_MS)
      .update({
        last_seen_at: now,
        ...(address ? { last_address: address } : {}),
      });
  }

  /**
   * Records the ownership refs of the first token refresh; later ones must match. Answers the
   * refs the session holds after the call.
   */
  async recordOwnership(
    id: string,
    ownership: string[],
  ): Promise<string[] | undefined> {
    await this.db<Row>(TABLE)
      .where({ id })
      .whereNull('ownership')
      .update({ ownership: JSON.stringify(ownership) });
    const row = await this.db<Row>(TABLE).where({ id }).first();
    return row?.ownership ? JSON.parse(row.ownership) : undefined;
  }

  /** Ends one live session; false when it was not live. */
  async end(
    id: string,
    reason: SessionEndReason,
    by: string,
    now: number,
  ): Promise<boolean> {
    const n = await this.db<Row>(TABLE)
      .where({ id })
      .whereNull('ended_at')
      .update({ ended_at: now, end_reason: reason, ended_by: by });
    return n > 0;
  }

  /** Ends every live session of an account (but `exceptId`); the ids ended. */
  async endAllOf(
    account: string,
    reason: SessionEndReason,
    by: string,
    now: number,
    exceptId?: string,
  ): Promise<string[]> {
    return this.db.transaction(async tx => {
      let query = tx<Row>(TABLE)
        .where({ account })
        .whereNull('ended_at')
        .where('expires_at', '>', now);
      if (exceptId) query = query.whereNot({ id: exceptId });
      const ids = (await query.select('id')).map(r => r.id);
      if (ids.length > 0) {
        await tx<Row>(TABLE)
          .whereIn('id', ids)
          .whereNull('ended_at')
          .update({ ended_at: now, end_reason: reason, ended_by: by });
      }
      return ids;
    });
  }

  /** Live sessions, of one account or all, newest first. */
  async listLive(now: number, account?: string): Promise<SessionRecord[]> {
    let query = this.db<Row>(TABLE)
      .whereNull('ended_at')
      .where('expires_at', '>', now);
    if (account) query = query.where({ account });
    const rows = await query.orderBy('created_at', 'desc');
    return rows.map(toSession);
  }

  /** Deletes sessions that ended or expired before `before`. */
  async purge(before: number): Promise<number> {
    return this.db<Row>(TABLE)
      .where('expires_at', '<', before)
      .orWhere('ended_at', '<', before)
      .delete();
  }
}
