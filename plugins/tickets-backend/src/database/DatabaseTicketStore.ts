import type { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { claimChange } from './claimChange';
import { iso, parseJson, toTicket, type TicketRow } from './rows';
import { DatabaseFulfilmentStepStore } from './DatabaseFulfilmentStepStore';
import { applyTicketsMigrations } from './migrations';
import { TicketStore } from './TicketStore';
import {
  ApprovalLevel,
  ClaimOutcome,
  ClaimRequest,
  DecisionOutcome,
  NewTicket,
  Ticket,
  TicketComment,
  TicketDetail,
  TicketListQuery,
  TicketPage,
  TicketState,
} from '../model';

/** The knex implementation of {@link TicketStore} (SQLite and PostgreSQL). */
export class DatabaseTicketStore implements TicketStore {
  static async create(options: {
    database: DatabaseService;
    now?: () => Date;
  }): Promise<DatabaseTicketStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyTicketsMigrations(knex);
    }
    return new DatabaseTicketStore(knex, options.now);
  }

  /** The fulfilment steps of tickets, in the same database. */
  readonly steps: DatabaseFulfilmentStepStore;

  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.steps = new DatabaseFulfilmentStepStore(knex, now);
  }

  async createOrGet(
    input: NewTicket,
    actor: string,
  ): Promise<{ ticket: Ticket; created: boolean }> {
    const existing = await this.knex<TicketRow>('tickets')
      .where({ key: input.key })
      .first();
    if (existing) return { ticket: toTicket(existing), created: false };
    const now = this.now();
    try {
      const id = await this.knex.transaction(async tx => {
        const [inserted] = await tx('tickets')
          .insert({
            key: input.key,
            title: input.title,
            summary: input.summary ?? null,
            template_ref: input.templateRef ?? null,
            task_id: input.taskId ?? null,
            requester: input.requester,
            state: 'awaiting_approval',
            level_count: input.levels.length,
            current_level: 0,
            levels: JSON.stringify(input.levels),
            details: JSON.stringify(input.details ?? {}),
            expires_at: input.expiresAt ?? null,
            change_kind: input.change?.kind ?? null,
            change_target: input.change?.target ?? null,
            change_digest: input.change?.digest ?? null,
            created_at: now,
            updated_at: now,
          })
          .returning('id');
        const ticketId = Number(
          typeof inserted === 'object' ? inserted.id : inserted,
        );
        const approverRows = input.levels.flatMap((level, index) =>
          [...new Set(level.approvers)].map(approver => ({
            ticket_id: ticketId,
            level: index,
            approver,
            confirm: level.kind === 'confirmation',
          })),
        );
        if (approverRows.length > 0) {
          await tx('ticket_approvers').insert(approverRows);
        }
        await tx('ticket_history').insert([
          {
            ticket_id: ticketId,
            actor,
            from_state: null,
            to_state: 'submitted',
            message: null,
            created_at: now,
          },
          {
            ticket_id: ticketId,
            actor,
            from_state: 'submitted',
            to_state: 'awaiting_approval',
            message: describeLevel(input.levels[0], 0, input.levels.length),
            created_at: now,
          },
        ]);
        return ticketId;
      });
      return { ticket: (await this.get(id))!, created: true };
    } catch (error) {
      // Another replica created it first (same key): use theirs.
      const raced = await this.knex<TicketRow>('tickets')
        .where({ key: input.key })
        .first();
      if (raced) return { ticket: toTicket(raced), created: false };
      throw error;
    }
  }

  async get(id: number): Promise<Ticket | undefined> {
    const row = await this.knex<TicketRow>('tickets').where({ id }).first();
    return row ? toTicket(row) : undefined;
  }

  async getDetail(id: number): Promise<TicketDetail | undefined> {
    const ticket = await this.get(id);
    if (!ticket) return undefined;
    const [decisions, comments, history] = await Promise.all([
      this.knex('ticket_decisions')
        .where({ ticket_id: id })
        .orderBy('level', 'asc'),
      this.knex('ticket_comments').where({ ticket_id: id }).orderBy('id'),
      this.knex('ticket_history').where({ ticket_id: id }).orderBy('id'),
    ]);
    return {
      ...ticket,
      decisions: decisions.map(d => ({
        level: Number(d.level),
        actor: d.actor,
        decision: d.decision,
        comment: d.comment ?? undefined,
        createdAt: iso(d.created_at),
      })),
      comments: comments.map(c => ({
        id: Number(c.id),
        author: c.author,
        body: c.body,
        createdAt: iso(c.created_at),
      })),
      history: history.map(h => ({
        id: Number(h.id),
        actor: h.actor,
        fromState: h.from_state ?? undefined,
        toState: h.to_state,
        message: h.message ?? undefined,
        createdAt: iso(h.created_at),
      })),
    };
  }

  async list(query: TicketListQuery): Promise<TicketPage> {
    const base = this.knex<TicketRow>('tickets as t');
    if (query.state) base.where('t.state', query.state);
    if (query.requester) base.where('t.requester', query.requester);
    if (query.q) {
      base.whereRaw('LOWER(t.title) LIKE ?', [
        `%${query.q.toLocaleLowerCase('en-US').replace(/[%_\\]/g, '')}%`,
      ]);
    }
    if (query.approverRefs) {
      base.where('t.state', 'awaiting_approval').whereExists(
        this.knex('ticket_approvers as a')
          .whereRaw('a.ticket_id = t.id')
          .whereRaw('a.level = t.current_level')
          .whereIn('a.approver', query.approverRefs)
          .where(b => {
            // One's own request waits for one only at a confirmation level.
            b.where('a.confirm', true);
            if (query.excludeRequester) {
              b.orWhereRaw('t.requester <> ?', [query.excludeRequester]);
            } else {
              b.orWhereRaw('1 = 1');
            }
          }),
      );
    }
    const [{ count }] = await base.clone().count({ count: '*' });
    const rows = await base
      .select('t.*')
      .orderBy('t.id', 'desc')
      .limit(query.limit ?? 50)
      .offset(query.offset ?? 0);
    return { items: rows.map(toTicket), total: Number(count) };
  }

  async decide(options: {
    id: number;
    actor: string;
    actorRefs: string[];
    decision: 'approved' | 'rejected';
    comment?: string;
  }): Promise<DecisionOutcome> {
    const { id, actor, decision } = options;
    return this.knex.transaction(async tx => {
      const row = await tx<TicketRow>('tickets').where({ id }).first();
      if (!row) return { ok: false, reason: 'not-found' };
      if (row.state !== 'awaiting_approval') {
        return { ok: false, reason: 'not-awaiting' };
      }
      const level = Number(row.current_level);
      const levels = parseJson<ApprovalLevel[]>(row.levels, []);
      const confirming = levels[level]?.kind === 'confirmation';
      // Approvals: never one's own request. Confirmations: only the named
      // person (often the requester) — checked through the approver rows.
      if (!confirming && row.requester === actor) {
        return { ok: false, reason: 'own-request' };
      }
      const approver = await tx('ticket_approvers')
        .where({ ticket_id: id, level })
        .whereIn('approver', options.actorRefs)
        .first();
      if (!approver) {
        return {
          ok: false,
          reason: confirming ? 'not-confirmer' : 'not-approver',
        };
      }

      const now = this.now();
      const last = level + 1 >= Number(row.level_count);
      let to: TicketState = last ? 'approved' : 'awaiting_approval';
      if (decision === 'rejected') to = 'rejected';
      // Conditional on the level still being open: a concurrent decision wins once.
      const updated = await tx('tickets')
        .where({ id, state: 'awaiting_approval', current_level: level })
        .update({
          state: to,
          current_level: to === 'awaiting_approval' ? level + 1 : level,
          message: options.comment ?? null,
          updated_at: now,
        });
      if (Number(updated) !== 1) return { ok: false, reason: 'not-awaiting' };
      await tx('ticket_decisions').insert({
        ticket_id: id,
        level,
        actor,
        decision,
        comment: options.comment ?? null,
        created_at: now,
      });
      let verb = decision === 'approved' ? 'Approved' : 'Rejected';
      if (confirming)
        verb = decision === 'approved' ? 'Confirmed' : 'Not confirmed';
      await tx('ticket_history').insert({
        ticket_id: id,
        actor,
        from_state: 'awaiting_approval',
        to_state: to,
        message:
          to === 'awaiting_approval'
            ? `${verb} level ${level + 1}; ${describeLevel(
                levels[level + 1],
                level + 1,
                levels.length,
              )}`
            : `${verb}${options.comment ? `: ${options.comment}` : ''}`,
        created_at: now,
      });
      const fresh = await tx<TicketRow>('tickets').where({ id }).first();
      return {
        ok: true as const,
        ticket: toTicket(fresh!),
        from: 'awaiting_approval' as TicketState,
      };
    });
  }

  async transition(options: {
    id: number;
    actor: string;
    to: TicketState;
    message?: string;
    result?: Record<string, unknown>;
    from: TicketState[];
  }): Promise<{ ticket: Ticket; from: TicketState } | undefined> {
    const { id, actor, to } = options;
    return this.knex.transaction(async tx => {
      const row = await tx<TicketRow>('tickets').where({ id }).first();
      if (!row || !options.from.includes(row.state)) return undefined;
      const now = this.now();
      const updated = await tx('tickets')
        .where({ id, state: row.state })
        .update({
          state: to,
          message: options.message ?? row.message,
          ...(options.result ? { result: JSON.stringify(options.result) } : {}),
          updated_at: now,
        });
      if (Number(updated) !== 1) return undefined;
      await tx('ticket_history').insert({
        ticket_id: id,
        actor,
        from_state: row.state,
        to_state: to,
        message: options.message ?? null,
        created_at: now,
      });
      const fresh = await tx<TicketRow>('tickets').where({ id }).first();
      return { ticket: toTicket(fresh!), from: row.state };
    });
  }

  claimChange(claim: ClaimRequest): Promise<ClaimOutcome> {
    return claimChange(this.knex, claim, this.now());
  }

  async expireDue(now: Date = this.now()): Promise<Ticket[]> {
    const due = await this.knex<TicketRow>('tickets')
      .where('state', 'awaiting_approval')
      .whereNotNull('expires_at')
      .where('expires_at', '<=', now)
      .select('id');
    const expired: Ticket[] = [];
    for (const { id } of due) {
      const moved = await this.transition({
        id: Number(id),
        actor: 'system:tickets',
        to: 'rejected',
        from: ['awaiting_approval'],
        message: 'Expired: nobody decided before the deadline',
      });
      if (moved) expired.push(moved.ticket);
    }
    return expired;
  }

  async addComment(
    id: number,
    author: string,
    body: string,
  ): Promise<TicketComment | undefined> {
    if (!(await this.get(id))) return undefined;
    const now = this.now();
    const [inserted] = await this.knex('ticket_comments')
      .insert({ ticket_id: id, author, body, created_at: now })
      .returning('id');
    return {
      id: Number(typeof inserted === 'object' ? inserted.id : inserted),
      author,
      body,
      createdAt: now.toISOString(),
    };
  }
}

/** "Waiting for level 1 of 2: group:default/dba". */
export function describeLevel(
  level: ApprovalLevel | undefined,
  index: number,
  count: number,
): string {
  if (!level) return 'No approvers';
  const who = level.label ?? level.approvers.join(', ');
  return count > 1
    ? `Waiting for level ${index + 1} of ${count}: ${who}`
    : `Waiting for ${who}`;
}
