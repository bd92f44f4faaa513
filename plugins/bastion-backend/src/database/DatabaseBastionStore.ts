import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { isUniqueViolation } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  BastionStore,
  Grant,
  NewGrant,
  SessionActivity,
  SessionQuery,
  SessionRecord,
  TerminateRequest,
} from './BastionStore';
import { DEFAULT_RULES } from '../commands/defaultRules';
import { DatabaseCommandStore } from './DatabaseCommandStore';
import { applyBastionMigrations } from './migrations';

const MAX_LIMIT = 500;

/** Marker of the default rule set in bastion_meta (a later set gets a new key). */
const DEFAULT_RULES_KEY = 'default-rules-1';
/** `createdBy` of the default rules. */
export const DEFAULT_RULES_AUTHOR = 'opsdeck:default-rules';

type Row = Record<string, any>;

const ms = (iso: string) => new Date(iso).getTime();
const iso = (v: unknown) => new Date(Number(v)).toISOString();
const optIso = (v: unknown) =>
  v === null || v === undefined ? undefined : iso(v);
const opt = <T>(v: T | null | undefined): T | undefined =>
  v === null || v === undefined ? undefined : v;

function toGrant(r: Row): Grant {
  return {
    id: r.id,
    subject: r.subject,
    selector: {
      host: opt(r.host),
      system: opt(r.system),
      owner: opt(r.owner),
      tag: opt(r.tag),
    },
    loginUser: r.login_user,
    expiresAt: iso(r.expires_at),
    reason: opt(r.reason),
    idempotencyKey: opt(r.idempotency_key),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    revokedAt: r.revoked_at === null ? undefined : iso(r.revoked_at),
    revokedBy: opt(r.revoked_by),
  };
}

function selectorColumns(grant: NewGrant) {
  return {
    host: grant.selector.host ?? null,
    system: grant.selector.system ?? null,
    owner: grant.selector.owner ?? null,
    tag: grant.selector.tag ?? null,
  };
}

function toSession(r: Row): SessionRecord {
  return {
    id: r.id,
    userRef: r.user_ref,
    host: r.host,
    hostRef: r.host_ref,
    loginUser: r.login_user,
    grantId: opt(r.grant_id),
    environment: opt(r.environment),
    startedAt: iso(r.started_at),
    endedAt: optIso(r.ended_at),
    endReason: opt(r.end_reason),
    bytesOut: Number(r.bytes_out),
    bytesIn: Number(r.bytes_in),
    cols: Number(r.cols),
    rows: Number(r.rows),
    recording: r.recording,
    instanceId: opt(r.instance_id),
    instanceRun: opt(r.instance_run),
    execAudit: opt(r.exec_audit),
    heartbeatAt: optIso(r.heartbeat_at),
    lastInputAt: optIso(r.last_input_at),
    watchers: r.watchers === undefined ? undefined : Number(r.watchers),
  };
}

/** BastionStore on the plugin's own database (SQLite or PostgreSQL). */
export class DatabaseBastionStore
  extends DatabaseCommandStore
  implements BastionStore
{
  /**
   * Opens the store (migrating the database) and, once per database, inserts the default rule
   * set (`defaultRules: false` skips that, for tests about other rules).
   */
  static async create(options: {
    database: DatabaseService;
    defaultRules?: boolean;
  }): Promise<DatabaseBastionStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyBastionMigrations(knex);
    }
    const store = new DatabaseBastionStore(knex);
    if (options.defaultRules !== false) {
      await store.seedRules(
        DEFAULT_RULES_KEY,
        DEFAULT_RULES.map(r => ({ ...r, createdBy: DEFAULT_RULES_AUTHOR })),
      );
    }
    return store;
  }

  // ------------------------------------------------------------ grants

  async createGrant(grant: NewGrant): Promise<Grant & { created: boolean }> {
    const id = randomUUID();
    try {
      await this.insertGrant(id, grant);
    } catch (e) {
      if (!grant.idempotencyKey || !isUniqueViolation(e)) throw e;
      const row = await this.db('bastion_grants')
        .where({ idempotency_key: grant.idempotencyKey })
        .first();
      const same =
        row.subject === grant.subject &&
        row.login_user === grant.loginUser &&
        Object.entries(selectorColumns(grant)).every(
          ([column, value]) => (row[column] ?? null) === value,
        );
      if (!same) {
        throw new ConflictError(
          `Idempotency key '${grant.idempotencyKey}' was used for another grant`,
        );
      }
      return { ...toGrant(row), created: false };
    }
    return { ...(await this.getGrant(id))!, created: true };
  }

  private async insertGrant(id: string, grant: NewGrant) {
    await this.db('bastion_grants').insert({
      id,
      subject: grant.subject,
      ...selectorColumns(grant),
      login_user: grant.loginUser,
      expires_at: ms(grant.expiresAt),
      reason: grant.reason ?? null,
      idempotency_key: grant.idempotencyKey ?? null,
      created_by: grant.createdBy,
      created_at: this.now(),
    });
  }

  async listGrants(options: { activeAt?: number } = {}): Promise<Grant[]> {
    const q = this.db('bastion_grants')
      .whereNull('revoked_at')
      .orderBy('created_at', 'desc')
      .orderBy('id');
    if (options.activeAt !== undefined) {
      q.where('expires_at', '>', options.activeAt);
    }
    return (await q).map(toGrant);
  }

  async getGrant(id: string): Promise<Grant | undefined> {
    const row = await this.db('bastion_grants').where({ id }).first();
    return row ? toGrant(row) : undefined;
  }

  async revokeGrant(id: string, by: string): Promise<boolean> {
    const n = await this.db('bastion_grants')
      .where({ id })
      .whereNull('revoked_at')
      .update({ revoked_at: this.now(), revoked_by: by });
    return n > 0;
  }

  // ------------------------------------------------------------ sessions

  async createSession(s: SessionRecord): Promise<void> {
    await this.db('bastion_sessions').insert({
      id: s.id,
      user_ref: s.userRef,
      host: s.host,
      host_ref: s.hostRef,
      login_user: s.loginUser,
      grant_id: s.grantId ?? null,
      environment: s.environment ?? null,
      started_at: ms(s.startedAt),
      ended_at: null,
      bytes_out: s.bytesOut,
      bytes_in: s.bytesIn,
      cols: s.cols,
      rows: s.rows,
      recording: s.recording,
      instance_id: s.instanceId ?? null,
      instance_run: s.instanceRun ?? null,
      heartbeat_at: this.now(),
      watchers: 0,
    });
  }

  async endSession(
    id: string,
    end: { endedAt: string; reason: string; bytesOut: number; bytesIn: number },
  ): Promise<void> {
    await this.db('bastion_sessions')
      .where({ id })
      .whereNull('ended_at')
      .update({
        ended_at: ms(end.endedAt),
        end_reason: end.reason.slice(0, 255),
        bytes_out: end.bytesOut,
        bytes_in: end.bytesIn,
      });
  }

  async heartbeat(
    instanceId: string,
    ids: string[],
    activity: ReadonlyMap<string, SessionActivity> = new Map(),
  ): Promise<number> {
    const now = this.now();
    const openOfInstance = () =>
      this.db('bastion_sessions')
        .where({ instance_id: instanceId })
        .whereNull('ended_at');
    let open = 0;
    // one row at a time where the activity changed (typing sessions), the rest at once
    for (const id of ids.filter(i => activity.has(i))) {
      const a = activity.get(id)!;
      open += await openOfInstance()
        .where({ id })
        .update({
          heartbeat_at: now,
          last_input_at: a.lastInputAt ?? null,
          watchers: a.watchers,
          // flushed with the heartbeat: a killed backend's sessions keep their counts
          ...(a.bytesIn === undefined ? {} : { bytes_in: a.bytesIn }),
          ...(a.bytesOut === undefined ? {} : { bytes_out: a.bytesOut }),
        });
    }
    const unchanged = ids.filter(i => !activity.has(i));
    // in slices, to stay under the bound-parameter limits of both databases
    for (let i = 0; i < unchanged.length; i += 500) {
      open += await openOfInstance()
        .whereIn('id', unchanged.slice(i, i + 500))
        .update({ heartbeat_at: now });
    }
    return open;
  }

  async endOwnPreviousSessions(
    instanceId: string,
    run: string,
    reason: string,
  ): Promise<SessionRecord[]> {
    return this.endSessionsWhere(
      q =>
        q
          .where({ instance_id: instanceId })
          .whereNull('ended_at')
          .where(w =>
            w.whereNull('instance_run').orWhereNot('instance_run', run),
          ),
      reason,
    );
  }

  async setExecAudit(id: string, state: string): Promise<void> {
    await this.db('bastion_sessions')
      .where({ id })
      .update({ exec_audit: state.slice(0, 255) });
  }

  async endStaleSessions(
    staleBefore: number,
    reason: string,
  ): Promise<SessionRecord[]> {
    return this.endSessionsWhere(
      q =>
        q
          .whereNull('ended_at')
          .where(w =>
            w
              .whereNull('heartbeat_at')
              .orWhere('heartbeat_at', '<', staleBefore),
          ),
      reason,
    );
  }

  /**
   * Ends the sessions matching `condition` with `reason`; returns those this call ended. The
   * update repeats the condition, so a session that changed meanwhile (a heartbeat arrived,
   * another instance ended it) is left as it is.
   */
  private async endSessionsWhere(
    condition: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
    reason: string,
  ): Promise<SessionRecord[]> {
    const rows = await condition(this.db('bastion_sessions'));
    if (rows.length === 0) return [];
    const ids = rows.map((r: Row) => r.id);
    const endedAt = this.now();
    const endReason = reason.slice(0, 255);
    await condition(this.db('bastion_sessions').whereIn('id', ids)).update({
      ended_at: endedAt,
      end_reason: endReason,
    });
    const ended = await this.db('bastion_sessions')
      .whereIn('id', ids)
      .where({ ended_at: endedAt, end_reason: endReason });
    return ended.map(toSession);
  }

  async reportRemoteWatchers(
    instanceId: string,
    counts: ReadonlyMap<string, number>,
  ): Promise<void> {
    const now = this.now();
    const rows = [...counts]
      .filter(([, n]) => n > 0)
      .map(([sessionId, n]) => ({
        session_id: sessionId,
        instance_id: instanceId,
        watchers: n,
        updated_at: now,
      }));
    await this.db.transaction(async tx => {
      await tx('bastion_remote_watchers')
        .where({ instance_id: instanceId })
        .delete();
      // in slices, to stay under the bound-parameter limits of both databases
      for (let i = 0; i < rows.length; i += 200) {
        await tx('bastion_remote_watchers').insert(rows.slice(i, i + 200));
      }
    });
  }

  async remoteWatchers(since: number): Promise<Map<string, number>> {
    const rows = await this.db('bastion_remote_watchers')
      .select('session_id')
      .sum({ n: 'watchers' })
      .where('updated_at', '>=', since)
      .groupBy('session_id');
    return new Map(rows.map((r: Row) => [r.session_id, Number(r.n)]));
  }

  async requestTerminate(id: string, reason: string): Promise<boolean> {
    const n = await this.db('bastion_sessions')
      .where({ id })
      .whereNull('ended_at')
      .update({
        terminate_requested_at: this.now(),
        terminate_reason: reason.slice(0, 255),
      });
    return n > 0;
  }

  async terminateRequests(instanceId: string): Promise<TerminateRequest[]> {
    const rows = await this.db('bastion_sessions')
      .select('id', 'terminate_reason')
      .where({ instance_id: instanceId })
      .whereNull('ended_at')
      .whereNotNull('terminate_requested_at');
    return rows.map((r: Row) => ({
      id: r.id,
      reason: r.terminate_reason ?? 'Terminated',
    }));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db('bastion_sessions').where({ id }).first();
    return row ? toSession(row) : undefined;
  }

  async listSessions(query: SessionQuery): Promise<SessionRecord[]> {
    const q = this.db('bastion_sessions')
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(Math.min(query.limit ?? 100, MAX_LIMIT));
    if (query.user) q.where('user_ref', query.user);
    if (query.host) q.where('host', query.host);
    if (query.open === true) q.whereNull('ended_at');
    if (query.open === false) q.whereNotNull('ended_at');
    return (await q).map(toSession);
  }
}
