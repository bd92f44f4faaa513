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
  /**
   * Monitoring's alert channels it also goes to (names of
   * `opsdeck.monitoring.channels`); none: Backstage notifications only.
   */
  channels?: string[];
}

/**
 * What of an alert already went out: `notifications` (the owner's Backstage
 * notification), `channel:<name>` (one of monitoring's channels).
 */
export type DeliveredPart = 'notifications' | `channel:${string}`;

/** A row a sender holds (its claim token proves it at completion). */
export interface ClaimedAlert extends OutboxAlert {
  id: number;
  /** Attempts so far, this one included. */
  attempts: number;
  token: string;
  /** What earlier attempts sent (not sent again). */
  delivered: DeliveredPart[];
}

/** The columns a claim returns. */
const CLAIMED = [
  'id',
  'job_key',
  'number',
  'owner',
  'payload',
  'attempts',
  'channels',
  'delivered',
];

function parseList(value: unknown): string[] {
  if (typeof value !== 'string' || !value) return [];
  const list = JSON.parse(value);
  return Array.isArray(list) ? list.map(String) : [];
}

/** A claimed row as the sender sees it. */
function claimedOf(r: any, token: string): ClaimedAlert {
  const channels = parseList(r.channels);
  return {
    id: Number(r.id),
    jobKey: r.job_key,
    number: Number(r.number),
    owner: r.owner,
    payload: JSON.parse(r.payload),
    attempts: Number(r.attempts),
    token,
    ...(channels.length ? { channels } : {}),
    delivered: parseList(r.delivered) as DeliveredPart[],
  };
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

/** A row's state: `sending` = handed to the notifications backend, not yet recorded. */
export type OutboxStatus =
  | 'pending'
  | 'sending'
  | 'sent'
  | 'given_up'
  | 'unknown';

/** A row whose sender stopped while it was `sending` (now `unknown`). */
export interface UnknownAlert extends OutboxAlert {
  id: number;
  attempts: number;
  sendingAt: number;
}

/**
 * The alert outbox (cicd_alert_outbox). Claiming is ONE statement (an
 * UPDATE ... RETURNING whose WHERE repeats the claimable condition, so
 * PostgreSQL re-checks it on a row another transaction just claimed): of
 * replicas claiming at the same time, each row goes to one.
 *
 * A claim has two phases: `claim` (pending, leased) and `markSending` (one
 * conditional UPDATE by the holder of the claim token, right before the
 * send). A lease that ends in the first phase frees the row for another
 * sender (it was never sent); one that ends while `sending` does not: the
 * send may have gone out, so `expireSending` makes the row `unknown`, listed
 * with the given-up rows for a person to retry or leave.
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
        channels: alert.channels?.length
          ? JSON.stringify(alert.channels)
          : null,
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
      .returning(CLAIMED);
    return (rows as any[]).map(r => claimedOf(r, token));
  }

  /**
   * The second phase of a claim, right before the send: ONE conditional
   * UPDATE that only the holder of the current, unexpired claim can make.
   * The lease starts again from `now` (the send gets all of it). False when
   * the claim was lost: the caller must not send.
   */
  async markSending(
    alert: ClaimedAlert,
    options: { now: number; leaseMs: number },
  ): Promise<boolean> {
    const { now, leaseMs } = options;
    const n = await this.knex('cicd_alert_outbox')
      .where({ id: alert.id, claim_token: alert.token, status: 'pending' })
      .andWhere('claimed_until', '>', now)
      .update({
        status: 'sending',
        sending_at: now,
        claimed_until: now + leaseMs,
        updated_at: now,
      });
    return n > 0;
  }

  /**
   * Rows whose lease ended while `sending` (the sender stopped after handing
   * the alert over, before recording it): `unknown`, in ONE statement (of
   * replicas running it at once, each row moves once and is returned to
   * one). The claim token stays, so a sender that was only slow can still
   * record its send.
   */
  async expireSending(now: number): Promise<UnknownAlert[]> {
    const rows = await this.knex('cicd_alert_outbox')
      .where('status', 'sending')
      .andWhere('claimed_until', '<=', now)
      .update({ status: 'unknown', claimed_until: null, updated_at: now })
      .returning([
        'id',
        'job_key',
        'number',
        'owner',
        'payload',
        'attempts',
        'sending_at',
      ]);
    return (rows as any[]).map(r => ({
      id: Number(r.id),
      jobKey: r.job_key,
      number: Number(r.number),
      owner: r.owner,
      payload: JSON.parse(r.payload),
      attempts: Number(r.attempts),
      sendingAt: Number(r.sending_at),
    }));
  }

  /**
   * Records what of a `sending` row went out so far (`delivered`, all of
   * it): a later attempt (the task's retry, a person's) sends only the
   * rest. One conditional UPDATE by the holder of the claim; false when the
   * claim was lost.
   */
  async progress(
    alert: ClaimedAlert,
    delivered: DeliveredPart[],
    now = Date.now(),
  ): Promise<boolean> {
    const n = await this.knex('cicd_alert_outbox')
      .where({ id: alert.id, claim_token: alert.token })
      .whereIn('status', ['sending', 'unknown'])
      .update({ delivered: JSON.stringify(delivered), updated_at: now });
    return n > 0;
  }

  /**
   * The claimed row was sent; false when the claim was lost (another sender
   * holds it, or it was finished). A row made `unknown` while this sender was
   * slow is recorded as sent (its token is still on it).
   */
  async sent(alert: ClaimedAlert, now = Date.now()): Promise<boolean> {
    const n = await this.knex('cicd_alert_outbox')
      .where({ id: alert.id, claim_token: alert.token })
      .whereIn('status', ['pending', 'sending', 'unknown'])
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
      .where({ id: alert.id, claim_token: alert.token })
      .whereIn('status', ['pending', 'sending'])
      .update({
        status: next.giveUp ? 'given_up' : 'pending',
        sending_at: null,
        next_at: next.nextAt,
        claim_token: null,
        claimed_until: null,
        last_error: error.slice(0, 1000),
        updated_at: now,
      });
    return n > 0;
  }

  /**
   * Alerts given up after their retries, and those whose send's outcome is
   * unknown (`status`), newest first.
   */
  async givenUp(limit = 200): Promise<GivenUpAlert[]> {
    const rows = await this.knex('cicd_alert_outbox')
      .whereIn('status', ['given_up', 'unknown'])
      .orderBy([
        { column: 'updated_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map((r: any) => ({
      id: Number(r.id),
      status: r.status === 'unknown' ? 'unknown' : 'given_up',
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
   * Takes a given-up (or `unknown`) row back for one more attempt, now: ONE
   * statement (`update ... where id = ? and status in (given_up, unknown)
   * returning`), so of people (or replicas) retrying the same row at once
   * exactly one gets it; PostgreSQL re-checks the status on a row another
   * update just changed. Undefined when the row is not (or no longer) there.
   */
  async claimGivenUp(options: {
    id: number;
    token: string;
    now: number;
    leaseMs: number;
  }): Promise<ClaimedAlert | undefined> {
    const { id, token, now, leaseMs } = options;
    const rows = await this.knex('cicd_alert_outbox')
      .where({ id })
      .whereIn('status', ['given_up', 'unknown'])
      .update({
        status: 'pending',
        sending_at: null,
        next_at: now,
        claim_token: token,
        claimed_until: now + leaseMs,
        attempts: this.knex.raw('attempts + 1'),
        updated_at: now,
      })
      .returning(CLAIMED);
    const r = (rows as any[])[0];
    return r ? claimedOf(r, token) : undefined;
  }

  /** One row as stored (tests, the README's "how to see a stuck alert"). */
  async get(jobKey: string, number: number) {
    const r = await this.knex('cicd_alert_outbox')
      .where({ job_key: jobKey, number })
      .first();
    return r
      ? {
          status: r.status as OutboxStatus,
          attempts: Number(r.attempts),
          nextAt: Number(r.next_at),
          lastError: (r.last_error as string | null) ?? undefined,
        }
      : undefined;
  }

  /** Deletes rows sent, given up or left unknown before `before`. */
  async prune(before: number): Promise<number> {
    return this.knex('cicd_alert_outbox')
      .whereIn('status', ['sent', 'given_up', 'unknown'])
      .andWhere('updated_at', '<', before)
      .delete();
  }
}
