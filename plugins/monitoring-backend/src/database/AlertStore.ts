import type { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  AlertDelivery,
  AlertEvent,
  AlertStatus,
  ChannelType,
  DeliveryState,
} from '@opsdeck/plugin-monitoring-common';
import { isUniqueViolation } from '@opsdeck/plugin-opsdeck-node';
import type { Knex } from 'knex';
import { EscalationStore } from './EscalationStore';
import { applyMonitoringMigrations } from './migrations';

/** An alert state as the router records it. */
export type NewAlertEvent = Omit<AlertEvent, 'id' | 'receivedAt'>;

type EventRow = {
  id: number;
  fingerprint: string;
  status: AlertStatus;
  starts_at: string;
  ends_at: string | null;
  alertname: string;
  entity_ref: string | null;
  owner: string | null;
  severity: string | null;
  summary: string | null;
  labels: string;
  annotations: string;
  received_at: number | string;
  last_seen_at?: number | string | null;
  test: boolean | number;
  stale?: boolean | number;
  ack_by?: string | null;
  ack_at?: number | string | null;
  ack_comment?: string | null;
  escalation_step?: number | null;
  /** Computed by {@link withResolved}: the firing state has a resolution. */
  resolved?: boolean | number | null;
};

type DeliveryRow = {
  id: number;
  event_id: number;
  channel: string;
  channel_type: ChannelType;
  state: DeliveryState;
  attempts: number;
  error: string | null;
  updated_at: number | string;
  step?: number | null;
};

/** A delivery whose outcome became unknown (see {@link AlertStore.expireSending}). */
export type ExpiredDelivery = {
  id: number;
  eventId: number;
  channel: string;
  step: number;
  attempts: number;
  startedAt: string;
};

const EVENTS = 'monitoring_alert_events';
const DELIVERIES = 'monitoring_deliveries';
/** Longest plain IN list of entity refs; longer sets go as one JSON parameter. */
const IN_LIST_MAX = 500;

function toEvent(row: EventRow): AlertEvent {
  const event: AlertEvent = {
    id: Number(row.id),
    fingerprint: row.fingerprint,
    status: row.status,
    startsAt: row.starts_at,
    alertname: row.alertname,
    labels: JSON.parse(row.labels),
    annotations: JSON.parse(row.annotations),
    receivedAt: new Date(Number(row.received_at)).toISOString(),
    test: Boolean(row.test),
  };
  if (row.ends_at) event.endsAt = row.ends_at;
  if (row.entity_ref) event.entityRef = row.entity_ref;
  if (row.owner) event.owner = row.owner;
  if (row.severity) event.severity = row.severity;
  if (row.summary) event.summary = row.summary;
  if (row.stale) event.stale = true;
  if (row.status === 'firing' && Number(row.resolved ?? 0)) {
    event.resolved = true;
  }
  if (row.ack_by && row.ack_at !== null && row.ack_at !== undefined) {
    event.acknowledgement = {
      by: row.ack_by,
      at: new Date(Number(row.ack_at)).toISOString(),
      ...(row.ack_comment ? { comment: row.ack_comment } : {}),
    };
  }
  if (Number(row.escalation_step ?? 0) > 0) {
    event.escalationStep = Number(row.escalation_step);
  }
  return event;
}

function toDelivery(row: DeliveryRow): AlertDelivery {
  const delivery: AlertDelivery = {
    id: Number(row.id),
    eventId: Number(row.event_id),
    channel: row.channel,
    channelType: row.channel_type,
    state: row.state,
    attempts: Number(row.attempts),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
  if (row.error) delivery.error = row.error;
  if (Number(row.step ?? 0) > 0) delivery.step = Number(row.step);
  return delivery;
}

/**
 * Selects `e.*` (the events table as `e`) and whether a firing state has a
 * resolution (`resolved`).
 */
function withResolved(db: Knex, q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q.select(
    'e.*',
    db.raw(
      `exists (select 1 from ?? as r where r.fingerprint = e.fingerprint and r.starts_at = e.starts_at and r.status = 'resolved') as resolved`,
      [EVENTS],
    ),
  );
}

/** Alert states and their deliveries, in the plugin's database. */
export class AlertStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<AlertStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await applyMonitoringMigrations(knex);
    }
    return new AlertStore(knex);
  }

  /** Acknowledgements and escalation steps of the same states. */
  readonly escalations: EscalationStore;

  constructor(private readonly db: Knex) {
    this.escalations = new EscalationStore(db);
  }

  /**
   * Records an alert state with one insert; its id, or undefined when the
   * same fingerprint, status and start is already recorded (another replica
   * or a retry won: it delivers, this caller does not). A firing state sent
   * again (Alertmanager's repeat notification) renews its `last_seen_at`
   * and undoes a stale resolution of it (the alert is not gone); a real
   * resolution of an alert opsdeck had resolved as stale takes that row's
   * place and gets its id (one caller wins: it delivers).
   */
  async insertEvent(
    event: NewAlertEvent,
    receivedAt: Date,
  ): Promise<number | undefined> {
    const values = {
      ends_at: event.endsAt ?? null,
      alertname: event.alertname,
      entity_ref: event.entityRef ?? null,
      owner: event.owner ?? null,
      severity: event.severity ?? null,
      summary: event.summary ?? null,
      labels: JSON.stringify(event.labels),
      annotations: JSON.stringify(event.annotations),
      received_at: receivedAt.getTime(),
    };
    const state = {
      fingerprint: event.fingerprint,
      starts_at: event.startsAt,
    };
    try {
      const [row] = await this.db(EVENTS)
        .insert({
          ...state,
          status: event.status,
          ...values,
          last_seen_at: receivedAt.getTime(),
          test: event.test,
        })
        .returning('id');
      return Number(typeof row === 'object' ? row.id : row);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    if (event.status === 'firing') {
      await this.db.transaction(async tx => {
        await tx(EVENTS)
          .where({ ...state, status: 'firing' })
          .update({ last_seen_at: receivedAt.getTime() });
        await tx(EVENTS)
          .where({ ...state, status: 'resolved', stale: true })
          .delete();
      });
      return undefined;
    }
    const [claimed] = await this.db(EVENTS)
      .where({ ...state, status: 'resolved', stale: true })
      .update({ ...values, last_seen_at: receivedAt.getTime(), stale: false })
      .returning('id');
    if (claimed === undefined) return undefined;
    return Number(typeof claimed === 'object' ? claimed.id : claimed);
  }

  /**
   * One batch of stale firing alerts, resolved in one transaction: firing
   * states (not test sends) Alertmanager last sent before `before` and with
   * no resolution, oldest first, up to `batchSize`. Each gets a resolution
   * row marked stale, received `at`, ended when last sent. The alerts it
   * resolved (none: nothing left).
   */
  async resolveStaleBatch(
    before: Date,
    batchSize: number,
    at: Date,
  ): Promise<Array<{ id: number; fingerprint: string; alertname: string }>> {
    return this.db.transaction(async tx => {
      const rows: EventRow[] = await tx(`${EVENTS} as e`)
        .where('e.status', 'firing')
        .where('e.test', false)
        .whereRaw('coalesce(??, ??) < ?', [
          'e.last_seen_at',
          'e.received_at',
          before.getTime(),
        ])
        .whereNotExists(q =>
          q
            .select(tx.raw('1'))
            .from(`${EVENTS} as r`)
            .whereRaw('?? = ??', ['r.fingerprint', 'e.fingerprint'])
            .whereRaw('?? = ??', ['r.starts_at', 'e.starts_at'])
            .where('r.status', 'resolved'),
        )
        .orderBy('e.id')
        .limit(batchSize)
        .select('e.*');
      const resolved = [];
      for (const r of rows) {
        const lastSeen = Number(r.last_seen_at ?? r.received_at);
        const [row] = await tx(EVENTS)
          .insert({
            fingerprint: r.fingerprint,
            status: 'resolved',
            starts_at: r.starts_at,
            ends_at: new Date(lastSeen).toISOString(),
            alertname: r.alertname,
            entity_ref: r.entity_ref,
            owner: r.owner,
            severity: r.severity,
            summary: r.summary,
            labels: r.labels,
            annotations: r.annotations,
            received_at: at.getTime(),
            last_seen_at: at.getTime(),
            test: false,
            stale: true,
          })
          .returning('id');
        resolved.push({
          id: Number(typeof row === 'object' ? row.id : row),
          fingerprint: r.fingerprint,
          alertname: r.alertname,
        });
      }
      return resolved;
    });
  }

  async getEvent(id: number): Promise<AlertEvent | undefined> {
    const row = await withResolved(
      this.db,
      this.db(`${EVENTS} as e`).where('e.id', id),
    ).first();
    return row ? toEvent(row) : undefined;
  }

  /** The distinct entities alert states were received for. */
  async entityRefs(): Promise<string[]> {
    const rows = await this.db(EVENTS)
      .distinct('entity_ref')
      .whereNotNull('entity_ref');
    return rows.map(r => r.entity_ref as string);
  }

  /**
   * A page of the alert states a caller may read, newest first: those on
   * `visible.entityRefs`, and those without an entity when
   * `visible.withoutEntity`; with `filter.state` `firing`, only the alerts
   * firing now (a firing state with no resolution, stale or real, and not a
   * test send). Filtered in the query, so pages stay full and the total
   * counts only those.
   */
  async listEvents(
    page: { limit: number; offset: number },
    visible: { entityRefs: Iterable<string>; withoutEntity: boolean },
    filter: { state?: 'firing' } = {},
  ): Promise<{ items: AlertEvent[]; total: number }> {
    const refs = [...new Set(visible.entityRefs)];
    const matching = (q: Knex.QueryBuilder) => {
      q.where(w => {
        this.whereEntityIn(w, refs);
        if (visible.withoutEntity) w.orWhereNull('e.entity_ref');
      });
      if (filter.state === 'firing') {
        q.where('e.status', 'firing')
          .where('e.test', false)
          .whereNotExists(r =>
            r
              .select(this.db.raw('1'))
              .from(`${EVENTS} as r`)
              .whereRaw('?? = ??', ['r.fingerprint', 'e.fingerprint'])
              .whereRaw('?? = ??', ['r.starts_at', 'e.starts_at'])
              .where('r.status', 'resolved'),
          );
      }
      return q;
    };
    const rows = await withResolved(
      this.db,
      matching(this.db(`${EVENTS} as e`)),
    )
      .orderBy('e.id', 'desc')
      .limit(page.limit)
      .offset(page.offset);
    const [{ n }] = await matching(this.db(`${EVENTS} as e`)).count({
      n: '*',
    });
    return { items: rows.map(toEvent), total: Number(n) };
  }

  /**
   * `entity_ref` in `refs`, however many: a short list as an IN list; a long
   * one (a caller who reads thousands of entities) as ONE bound JSON array
   * the database expands itself (PostgreSQL `json_array_elements_text`,
   * SQLite `json_each`), so no statement nears the bound-parameter limits
   * (PostgreSQL 65,535, SQLite 32,766) and paging and totals stay in SQL.
   */
  private whereEntityIn(w: Knex.QueryBuilder, refs: string[]): void {
    if (refs.length <= IN_LIST_MAX) {
      w.whereIn('e.entity_ref', refs);
      return;
    }
    const dialect = (this.db.client as { dialect?: string }).dialect;
    const json = JSON.stringify(refs);
    if (dialect === 'postgresql') {
      w.whereRaw('?? in (select json_array_elements_text(?::json))', [
        'e.entity_ref',
        json,
      ]);
    } else if (dialect === 'sqlite3' || dialect === 'better-sqlite3') {
      w.whereRaw('?? in (select value from json_each(?))', [
        'e.entity_ref',
        json,
      ]);
    } else {
      // other databases: IN lists of IN_LIST_MAX (bounded by their own limit)
      w.where(any => {
        for (let i = 0; i < refs.length; i += IN_LIST_MAX) {
          any.orWhereIn('e.entity_ref', refs.slice(i, i + IN_LIST_MAX));
        }
      });
    }
  }

  /**
   * Starts a delivery of an event on a channel (one more attempt), in ONE
   * statement: the first attempt inserts the row; a later one restarts it
   * only if it is in one of `restartFrom` (a retry of a failed delivery), so
   * of two parallel restarts one wins. Records when the attempt started (the
   * lease of {@link expireSending}). The delivery's id, or undefined when
   * this caller did not claim it (nothing to send).
   */
  async startDelivery(
    eventId: number,
    channel: string,
    channelType: ChannelType,
    at: Date,
    step = 0,
    restartFrom: DeliveryState[] = ['failed'],
  ): Promise<number | undefined> {
    const rows = await this.db(DELIVERIES)
      .insert({
        event_id: eventId,
        channel,
        channel_type: channelType,
        step,
        state: 'sending',
        attempts: 1,
        updated_at: at.getTime(),
        started_at: at.getTime(),
      })
      .onConflict(['event_id', 'channel', 'step'])
      .merge({
        state: 'sending',
        attempts: this.db.raw('??.?? + 1', [DELIVERIES, 'attempts']),
        updated_at: at.getTime(),
        started_at: at.getTime(),
      })
      .whereIn(`${DELIVERIES}.state`, restartFrom)
      .returning('id');
    const [row] = rows as Array<{ id: number } | number>;
    if (row === undefined) return undefined;
    return Number(typeof row === 'object' ? row.id : row);
  }

  async finishDelivery(
    id: number,
    result: { error?: string },
    at: Date,
  ): Promise<void> {
    await this.db(DELIVERIES)
      .where({ id })
      .update({
        state: result.error ? 'failed' : 'sent',
        error: result.error ?? null,
        updated_at: at.getTime(),
      });
  }

  /**
   * Deliveries `sending` since `startedBefore` or earlier (the process that
   * sent them stopped before recording the outcome) become `unknown`, in ONE
   * conditional UPDATE … RETURNING: of two parallel sweeps each row moves
   * once, and is returned to the sweep that moved it. Never sent again
   * automatically (the alert may have gone out).
   */
  async expireSending(
    startedBefore: Date,
    at: Date,
  ): Promise<ExpiredDelivery[]> {
    const rows: Array<{
      id: number;
      event_id: number;
      channel: string;
      step: number | null;
      attempts: number;
      started_at: number | string | null;
    }> = await this.db(DELIVERIES)
      .where('state', 'sending')
      .where('started_at', '<=', startedBefore.getTime())
      .update({ state: 'unknown', updated_at: at.getTime() })
      .returning([
        'id',
        'event_id',
        'channel',
        'step',
        'attempts',
        'started_at',
      ]);
    return rows.map(r => ({
      id: Number(r.id),
      eventId: Number(r.event_id),
      channel: r.channel,
      step: Number(r.step ?? 0),
      attempts: Number(r.attempts),
      startedAt: new Date(Number(r.started_at)).toISOString(),
    }));
  }

  /** Failed deliveries with fewer than `maxAttempts` attempts, of events received since `since`. */
  async retryable(
    maxAttempts: number,
    since: Date,
  ): Promise<Array<{ eventId: number; channel: string; step: number }>> {
    const rows = await this.db(DELIVERIES)
      .join(EVENTS, `${EVENTS}.id`, `${DELIVERIES}.event_id`)
      .where(`${DELIVERIES}.state`, 'failed')
      .where(`${DELIVERIES}.attempts`, '<', maxAttempts)
      // an alert received in the window, or an escalation step attempted in it
      .where(w =>
        w
          .where(`${EVENTS}.received_at`, '>=', since.getTime())
          .orWhere(e =>
            e
              .where(`${DELIVERIES}.step`, '>', 0)
              .where(`${DELIVERIES}.updated_at`, '>=', since.getTime()),
          ),
      )
      .select(
        `${DELIVERIES}.event_id as event_id`,
        `${DELIVERIES}.channel`,
        `${DELIVERIES}.step`,
      )
      .orderBy(`${DELIVERIES}.id`);
    return rows.map(r => ({
      eventId: Number(r.event_id),
      channel: r.channel,
      step: Number(r.step ?? 0),
    }));
  }

  /**
   * Deletes one batch of old alert states with their deliveries, in one
   * transaction: alerts resolved before `before` (the resolution and the
   * firing state of the same fingerprint and start, both received before
   * `before`, together, so no firing state is left without its resolution),
   * and test sends received before `before`. Alerts that never resolved
   * are kept. Up to `batchSize` resolutions (and test sends) per call; how
   * many states and deliveries it deleted (0 states: nothing left).
   */
  async pruneBatch(
    before: Date,
    batchSize: number,
  ): Promise<{ events: number; deliveries: number }> {
    const cutoff = before.getTime();
    return this.db.transaction(async tx => {
      const resolved = (
        await tx(EVENTS)
          .where('status', 'resolved')
          .where('received_at', '<', cutoff)
          .orderBy('id')
          .limit(batchSize)
          .select('id')
      ).map(r => Number(r.id));
      const states = resolved.length
        ? await tx(`${EVENTS} as e`)
            .join(`${EVENTS} as r`, j =>
              j
                .on('r.fingerprint', '=', 'e.fingerprint')
                .andOn('r.starts_at', '=', 'e.starts_at'),
            )
            .whereIn('r.id', resolved)
            .where('e.received_at', '<', cutoff)
            .select('e.id as id')
        : [];
      const tests = await tx(EVENTS)
        .where('test', true)
        .where('received_at', '<', cutoff)
        .orderBy('id')
        .limit(batchSize)
        .select('id');
      const ids = [...new Set([...states, ...tests].map(r => Number(r.id)))];
      if (!ids.length) return { events: 0, deliveries: 0 };
      const deliveries = await tx(DELIVERIES).whereIn('event_id', ids).delete();
      const events = await tx(EVENTS).whereIn('id', ids).delete();
      return { events: Number(events), deliveries: Number(deliveries) };
    });
  }

  async getDelivery(id: number): Promise<AlertDelivery | undefined> {
    const row = await this.db<DeliveryRow>(DELIVERIES).where({ id }).first();
    return row ? toDelivery(row) : undefined;
  }

  /**
   * Claims one delivery for a person's retry, in ONE conditional UPDATE: it
   * becomes `sending` (one more attempt, the lease of {@link expireSending}
   * starting now) only if it is in one of `from`, so of parallel retries
   * exactly one gets true and sends.
   */
  async restartDelivery(
    id: number,
    from: DeliveryState[],
    at: Date,
  ): Promise<boolean> {
    const changed = await this.db(DELIVERIES)
      .where({ id })
      .whereIn('state', from)
      .update({
        state: 'sending',
        attempts: this.db.raw('?? + 1', ['attempts']),
        updated_at: at.getTime(),
        started_at: at.getTime(),
      });
    return Number(changed) === 1;
  }

  async deliveries(eventId: number): Promise<AlertDelivery[]> {
    const rows = await this.db<DeliveryRow>(DELIVERIES)
      .where({ event_id: eventId })
      .orderBy(['step', 'channel']);
    return rows.map(toDelivery);
  }
}
