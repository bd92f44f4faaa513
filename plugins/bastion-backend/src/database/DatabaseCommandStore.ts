import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import type {
  CommandQuery,
  CommandRecord,
  CommandRule,
  ExecRecord,
  NewReview,
  NewRule,
  ReviewRecord,
  ReviewStatus,
} from './BastionStore';

const MAX_LIMIT = 500;

type Row = Record<string, any>;

const ms = (iso: string) => new Date(iso).getTime();
const iso = (v: unknown) => new Date(Number(v)).toISOString();
const optIso = (v: unknown) =>
  v === null || v === undefined ? undefined : iso(v);
const opt = <T>(v: T | null | undefined): T | undefined =>
  v === null || v === undefined ? undefined : v;
const optNum = (v: unknown) =>
  v === null || v === undefined ? undefined : Number(v);

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, c => `\\${c}`);
}

function toRule(r: Row): CommandRule {
  return {
    id: r.id,
    name: r.name,
    pattern: r.pattern,
    kind: r.kind ?? 'command',
    action: r.action,
    scope: {
      host: opt(r.scope_host),
      system: opt(r.scope_system),
      owner: opt(r.scope_owner),
      tag: opt(r.scope_tag),
      environment: opt(r.scope_environment),
    },
    priority: Number(r.priority),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}

function toReview(r: Row): ReviewRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    command: r.command,
    detail: opt(r.detail),
    ruleId: opt(r.rule_id),
    ruleName: opt(r.rule_name),
    requestedBy: r.requested_by,
    host: r.host,
    requestedAt: iso(r.requested_at),
    expiresAt: iso(r.expires_at),
    status: r.status,
    decidedBy: opt(r.decided_by),
    decidedAt: optIso(r.decided_at),
  };
}

/**
 * The command side of the bastion's store: command log, rules, reviews and host exec records
 * (DatabaseBastionStore adds grants, sessions and MFA).
 */
export class DatabaseCommandStore {
  constructor(
    protected readonly db: Knex,
    protected readonly now: () => number = Date.now,
  ) {}

  // ------------------------------------------------------------ commands

  async addCommand(c: Omit<CommandRecord, 'id'>): Promise<void> {
    await this.db('bastion_commands').insert({
      session_id: c.sessionId,
      at: ms(c.at),
      command: c.command,
      action: c.action,
      rule_id: c.ruleId ?? null,
      detail: c.detail ?? null,
      reviewed_by: c.reviewedBy ?? null,
    });
  }

  async searchCommands(query: CommandQuery): Promise<CommandRecord[]> {
    const q = this.db('bastion_commands as c')
      .join('bastion_sessions as s', 's.id', 'c.session_id')
      .select('c.*', 's.user_ref', 's.host')
      .orderBy('c.at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(Math.min(query.limit ?? 100, MAX_LIMIT));
    if (query.q) {
      q.whereRaw(`lower(c.command) like ? escape '\\'`, [
        `%${escapeLike(query.q.toLowerCase())}%`,
      ]);
    }
    if (query.user) q.where('s.user_ref', query.user);
    if (query.host) q.where('s.host', query.host);
    if (query.sessionId) q.where('c.session_id', query.sessionId);
    return (await q).map((r: Row) => ({
      id: Number(r.id),
      sessionId: r.session_id,
      at: iso(r.at),
      command: r.command,
      action: r.action,
      ruleId: opt(r.rule_id),
      detail: opt(r.detail),
      reviewedBy: opt(r.reviewed_by),
      userRef: r.user_ref,
      host: r.host,
    }));
  }

  // ------------------------------------------------------------ rules

  async createRule(rule: NewRule): Promise<CommandRule> {
    const id = randomUUID();
    await this.db('bastion_rules').insert(this.ruleRow(id, rule));
    return toRule(await this.db('bastion_rules').where({ id }).first());
  }

  private ruleRow(id: string, rule: NewRule) {
    return {
      id,
      name: rule.name,
      pattern: rule.pattern,
      kind: rule.kind ?? 'command',
      action: rule.action,
      scope_host: rule.scope.host ?? null,
      scope_system: rule.scope.system ?? null,
      scope_owner: rule.scope.owner ?? null,
      scope_tag: rule.scope.tag ?? null,
      scope_environment: rule.scope.environment ?? null,
      priority: rule.priority,
      created_by: rule.createdBy,
      created_at: this.now(),
    };
  }

  async listRules(): Promise<CommandRule[]> {
    const rows = await this.db('bastion_rules')
      .orderBy('priority')
      .orderBy('created_at')
      .orderBy('id');
    return rows.map(toRule);
  }

  async deleteRule(id: string): Promise<boolean> {
    return (await this.db('bastion_rules').where({ id }).delete()) > 0;
  }

  async seedRules(key: string, rules: NewRule[]): Promise<boolean> {
    const owner = randomUUID();
    return this.db.transaction(async tx => {
      // the marker row first: of replicas starting at once, one writes it and the rules
      await tx('bastion_meta')
        .insert({ key, owner, created_at: this.now() })
        .onConflict('key')
        .ignore();
      const marker = await tx('bastion_meta').where({ key }).first();
      if (marker?.owner !== owner) return false;
      for (const rule of rules) {
        await tx('bastion_rules').insert(this.ruleRow(randomUUID(), rule));
      }
      return true;
    });
  }

  // ------------------------------------------------------------ reviews

  async createReview(review: NewReview): Promise<ReviewRecord> {
    const id = randomUUID();
    await this.db('bastion_reviews').insert({
      id,
      session_id: review.sessionId,
      command: review.command,
      detail: review.detail ?? null,
      rule_id: review.ruleId ?? null,
      rule_name: review.ruleName ?? null,
      requested_by: review.requestedBy,
      host: review.host,
      requested_at: ms(review.requestedAt),
      expires_at: ms(review.expiresAt),
      status: 'pending',
    });
    return (await this.getReview(id))!;
  }

  async getReview(id: string): Promise<ReviewRecord | undefined> {
    const row = await this.db('bastion_reviews').where({ id }).first();
    return row ? toReview(row) : undefined;
  }

  async listReviews(query: {
    status?: ReviewStatus;
    limit?: number;
  }): Promise<ReviewRecord[]> {
    const q = this.db('bastion_reviews')
      .orderBy('requested_at', 'desc')
      .orderBy('id')
      .limit(Math.min(query.limit ?? 100, MAX_LIMIT));
    if (query.status) q.where({ status: query.status });
    return (await q).map(toReview);
  }

  async decideReview(
    id: string,
    status: Exclude<ReviewStatus, 'pending'>,
    by?: string,
  ): Promise<boolean> {
    const n = await this.db('bastion_reviews')
      .where({ id, status: 'pending' })
      .update({ status, decided_by: by ?? null, decided_at: this.now() });
    return n > 0;
  }

  // ------------------------------------------------------------ host exec audit

  async addExecs(execs: ExecRecord[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < execs.length; i += 100) {
      const rows = execs.slice(i, i + 100).map(e => ({
        session_id: e.sessionId,
        event: e.event,
        at: ms(e.at),
        pid: e.pid ?? null,
        ppid: e.ppid ?? null,
        uid: e.uid ?? null,
        exe: e.exe ?? null,
        argv: JSON.stringify(e.argv),
        cwd: e.cwd ?? null,
      }));
      const before = await this.db('bastion_execs')
        .where({ session_id: rows[0].session_id })
        .count({ n: '*' })
        .first();
      await this.db('bastion_execs')
        .insert(rows)
        .onConflict(['session_id', 'event'])
        .ignore();
      const after = await this.db('bastion_execs')
        .where({ session_id: rows[0].session_id })
        .count({ n: '*' })
        .first();
      added += Number(after?.n ?? 0) - Number(before?.n ?? 0);
    }
    return added;
  }

  async listExecs(sessionId: string): Promise<ExecRecord[]> {
    const rows = await this.db('bastion_execs')
      .where({ session_id: sessionId })
      .orderBy('at')
      .orderBy('id');
    return rows.map((r: Row) => ({
      sessionId: r.session_id,
      event: r.event,
      at: iso(r.at),
      pid: optNum(r.pid),
      ppid: optNum(r.ppid),
      uid: optNum(r.uid),
      exe: opt(r.exe),
      argv: JSON.parse(r.argv),
      cwd: opt(r.cwd),
    }));
  }
}
