import type { Knex } from 'knex';

const EVENTS = 'monitoring_alert_events';

/** Why an acknowledgement (or its removal) changed nothing. */
export type AckRefusal =
  | 'missing'
  | 'not-firing'
  | 'resolved'
  | 'acknowledged'
  | 'not-acknowledged';

/** A firing state that may be due for an escalation step. */
export interface EscalationCandidate {
  id: number;
  step: number;
  receivedAt: Date;
  /** What chooses its escalation policy: the `severity` label and the catalog owner group. */
  severity?: string;
  owner?: string;
}

/**
 * Acknowledgements and escalation steps of firing alert states. Each change
 * is ONE conditional UPDATE (the state it expects is in its WHERE clause),
 * so concurrent callers on any number of replicas cannot both win: an
 * acknowledgement and an escalation claim of the same alert, or two claims
 * of the same step, decide in the database.
 */
export class EscalationStore {
  constructor(private readonly db: Knex) {}

  /** A firing state still open: not a test send, and no resolution received. */
  private open(q: Knex.QueryBuilder): Knex.QueryBuilder {
    return q
      .where('status', 'firing')
      .where('test', false)
      .whereNotExists(sub =>
        sub
          .select(this.db.raw('1'))
          .from(`${EVENTS} as r`)
          .whereRaw('?? = ??', ['r.fingerprint', `${EVENTS}.fingerprint`])
          .whereRaw('?? = ??', ['r.starts_at', `${EVENTS}.starts_at`])
          .where('r.status', 'resolved'),
      );
  }

  /** Why a change of the acknowledgement of `id` was refused. */
  private async refusal(id: number): Promise<AckRefusal> {
    const row = await this.db(EVENTS).where({ id }).first();
    if (!row) return 'missing';
    if (row.status !== 'firing' || row.test) return 'not-firing';
    const resolved = await this.db(EVENTS)
      .where({
        fingerprint: row.fingerprint,
        starts_at: row.starts_at,
        status: 'resolved',
      })
      .first();
    if (resolved) return 'resolved';
    return row.ack_at === null ? 'not-acknowledged' : 'acknowledged';
  }

  /**
   * Acknowledges an open firing state that nobody has acknowledged: one
   * conditional UPDATE. Undefined when it did, else why not.
   */
  async acknowledge(
    id: number,
    ack: { by: string; comment?: string },
    at: Date,
  ): Promise<AckRefusal | undefined> {
    const changed = await this.open(this.db(EVENTS).where({ id }))
      .whereNull('ack_at')
      .update({
        ack_by: ack.by,
        ack_at: at.getTime(),
        ack_comment: ack.comment ?? null,
      });
    return Number(changed) === 1 ? undefined : this.refusal(id);
  }

  /** Removes the acknowledgement of an open firing state (escalation resumes). */
  async unacknowledge(id: number): Promise<AckRefusal | undefined> {
    const changed = await this.open(this.db(EVENTS).where({ id }))
      .whereNotNull('ack_at')
      .update({ ack_by: null, ack_at: null, ack_comment: null });
    return Number(changed) === 1 ? undefined : this.refusal(id);
  }

  /**
   * Open, unacknowledged firing states received at or before `receivedBefore`
   * whose step is below `maxStep`, oldest first (at most `limit`, with ids
   * above `afterId`: the caller pages through all of them).
   */
  async candidates(
    receivedBefore: Date,
    maxStep: number,
    afterId = 0,
    limit = 500,
  ): Promise<EscalationCandidate[]> {
    const rows: Array<{
      id: number;
      escalation_step: number;
      received_at: number | string;
      severity: string | null;
      owner: string | null;
    }> = await this.open(this.db(EVENTS))
      .whereNull('ack_at')
      .where('escalation_step', '<', maxStep)
      .where('received_at', '<=', receivedBefore.getTime())
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .select('id', 'escalation_step', 'received_at', 'severity', 'owner');
    return rows.map(r => ({
      id: Number(r.id),
      step: Number(r.escalation_step),
      receivedAt: new Date(Number(r.received_at)),
      ...(r.severity ? { severity: r.severity } : {}),
      ...(r.owner ? { owner: r.owner } : {}),
    }));
  }

  /**
   * Claims escalation step `to` of a firing state that is at step `from`:
   * ONE conditional UPDATE (`… where id = ? and escalation_step = from and
   * ack_at is null` and still open), so of any number of replicas exactly one
   * sees true and sends the step; an acknowledgement or a resolution that
   * lands first makes every claim false.
   */
  async claimStep(id: number, from: number, to: number): Promise<boolean> {
    const changed = await this.open(
      this.db(EVENTS).where({ id, escalation_step: from }),
    )
      .whereNull('ack_at')
      .update({ escalation_step: to });
    return Number(changed) === 1;
  }
}
