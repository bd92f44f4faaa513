import type { GivenUpAlert } from '@opsdeck/plugin-cicd-common';
import type { Knex } from './migrations';

/** What a notification carries (Backstage NotificationPayload, JSON). */
export interface OutboxPayload {
  title: string;
  description?: string;
  link?: string;
  severity?: 'critical' | 'high' | 'normal' | 'low';
  topic?: string;
  scope?: string;
}

/** An alert waiting in the outbox. */
export interface OutboxAlert {
  jobKey: string;
  number: number;
  /** The owner's entity ref. */
  owner: string;
  payload: OutboxPayload;
}

/** A row a sender holds (its claim token proves it at completion). */
export interface ClaimedAlert extends OutboxAlert {
  id: number;
  /** Attempts so far, this one included. */
  attempts: number;
  token: string;
}

export interface ClaimOptions {
  /** Identifies this claim; completion needs it. */
  token: string;
  now: number;
  /** How long the claim holds (a sender that dies frees the row after it). */
  leaseMs: number;
  limit: number;
  /** Only this row (a delivery right after enqueueing). */
  id?: number;
}

/**
 * The alert outbox (cicd_alert_outbox). Claiming is ONE statement (an
 * UPDATE ... RETURNING whose WHERE repeats the claimable condition, so
 * PostgreSQL re-checks it on a row another transaction just claimed): of
 * replicas claiming at the same time, each row goes to one.
 */
export class OutboxStore {
  constructor(private readonly knex: Knex) {}

  /** Writes an alert (once per job and build); its id, or undefined if it was there. */
  async enqueue(
    alert: OutboxAlert,
    now = Date.now(),
    /** A transaction to write in (the gate's, AlertStore.claim). */
    db: Knex = this.knex,
  ): Promise<number | undefined> {
    const rows = await db('cicd_alert_outbox')
      .insert({
        job_key: alert.jobKey,
        number: alert.number,
        owner: alert.owner,
        payload: JSON.stringify(alert.payload),
        status: 'pending',
        attempts: 0,
        next_at: now,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['job_key', 'number'])
      .ignore()
      .returning('id');
    const row = rows[0] as { id: number } | number | undefined;
    if (row === undefined) return undefined;
    return Number(typeof row === 'object' ? row.id : row);
  }

  /** Claims due pending rows (or one row): one atomic statement. */
  async claim(options: ClaimOptions): Promise<ClaimedAlert[]> {
    const { token, now, leaseMs, limit, id } = options;
    // the same condition in the sub-select and on the updated row
    const claimable = (q: any) =>
      q
        .where('status', 'pending')
        .andWhere('next_at', '<=', now)
        .andWhere((w: any) =>
          w.whereNull('claimed_until').orWhere('claimed_until', '<=', now),
        );
    const due = claimable(this.knex('cicd_alert_outbox').select('id'))
      .orderBy([
        { column: 'next_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    if (id !== undefined) due.andWhere('id', id);
    const rows = await claimable(
      this.knex('cicd_alert_outbox').whereIn('id', due),
    )
      .update({
        claim_token: token,
        claimed_until: now + leaseMs,
        attempts: this.knex.raw('attempts + 1'),
        updated_at: now,
      })
      .returning(['id', 'job_key', 'number', 'owner', 'payload', 'attempts']);
    return (rows as any[]).map(r => ({
      id: Number(r.id),
      jobKey: r.job_key,
      number: Number(r.number),
      owner: r.owner,
      payload: JSON.parse(r.payload),
      attempts: Number(r.attempts),
      token,
    }));
  }

  /** The claimed row was sent; false when the claim was lost (lease over, another sender). */
  async sent(alert: ClaimedAlert, now = Date.now()): Promise<boolean> {
    const n = await this.knex('cicd_alert_outbox')
      .where({ id: alert.id, claim_token: alert.token, status: 'pending' })
      .update({
        status: 'sent',
        claim_token: null,
        claimed_until: null,
        last_error: null,
        updated_at: now,
      });
    return n > 0;
  }

  /**
   * The claimed row could not be sent: pending again from `nextAt`, or
   * given up (`given_up`) when `giveUp`.
   */
  async failed(
    alert: ClaimedAlert,
    error: string,
    next: { giveUp: boolean; nextAt: number },
    now = Date.now(),
  ): Promise<boolean> {
    const n = await this.knex('cicd_alert_outbox')
      .where({ id: alert.id, claim_token: alert.token, status: 'pending' })
      .update({
        status: next.giveUp ? 'given_up' : 'pending',
        next_at: next.nextAt,
        claim_token: null,
        claimed_until: null,
        last_error: error.slice(0, 1000),
        updated_at: now,
      });
    return n > 0;
  }

  /** Alerts given up after their retries, newest first. */
  async givenUp(limit = 200): Promise<GivenUpAlert[]> {
    const rows = await this.knex('cicd_alert_outbox')
      .where('status', 'given_up')
      .orderBy([
        { column: 'updated_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map((r: any) => ({
      id: Number(r.id),
      jobKey: r.job_key,
      number: Number(r.number),
      owner: r.owner,
      title: String(JSON.parse(r.payload)?.title ?? ''),
      attempts: Number(r.attempts),
      lastError: (r.last_error as string | null) ?? '',
      createdAt: Number(r.created_at),
      givenUpAt: Number(r.updated_at),
    }));
  }

  /**
   * Takes a given-up row back for one more attempt, now: ONE statement
   * (`update ... where id = ? and status = 'given_up' returning`), so of
   * people (or replicas) retrying the same row at once exactly one gets it;
   * PostgreSQL re-checks the status on a row another update just changed.
   * Undefined when the row is not (or no longer) given up.
   */
  async claimGivenUp(options: {
    id: number;
    token: string;
    now: number;
    leaseMs: number;
  }): Promise<ClaimedAlert | undefined> {
    const { id, token, now, leaseMs } = options;
    const rows = await this.knex('cicd_alert_outbox')
      .where({ id, status: 'given_up' })
      .update({
        status: 'pending',
        next_at: now,
        claim_token: token,
        claimed_until: now + leaseMs,
        attempts: this.knex.raw('attempts + 1'),
        updated_at: now,
      })
      .returning(['id', 'job_key', 'number', 'owner', 'payload', 'attempts']);
    const r = (rows as any[])[0];
    if (!r) return undefined;
    return {
      id: Number(r.id),
      jobKey: r.job_key,
      number: Number(r.number),
      owner: r.owner,
      payload: JSON.parse(r.payload),
      attempts: Number(r.attempts),
      token,
    };
  }

  /** One row as stored (tests, the README's "how to see a stuck alert"). */
  async get(jobKey: string, number: number) {
    const r = await this.knex('cicd_alert_outbox')
      .where({ job_key: jobKey, number })
      .first();
    return r
      ? {
          status: r.status as 'pending' | 'sent' | 'given_up',
          attempts: Number(r.attempts),
          nextAt: Number(r.next_at),
          lastError: (r.last_error as string | null) ?? undefined,
        }
      : undefined;
  }

  /** Deletes rows sent or given up before `before`. */
  async prune(before: number): Promise<number> {
    return this.knex('cicd_alert_outbox')
      .whereIn('status', ['sent', 'given_up'])
      .andWhere('updated_at', '<', before)
      .delete();
  }
}
