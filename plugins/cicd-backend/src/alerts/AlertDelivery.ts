import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type {
  AlertChannelOutcome,
  AlertChannelsService,
} from '@opsdeck/plugin-monitoring-node';
import { crashPoint } from '@opsdeck/plugin-opsdeck-node';
import { randomUUID } from 'node:crypto';
import type { Knex } from '../database/migrations';
import type {
  ClaimedAlert,
  DeliveredPart,
  OutboxAlert,
  OutboxStore,
  UnknownAlert,
} from '../database/OutboxStore';

export interface DeliveryLimits {
  /** Attempts before an alert is given up. */
  maxAttempts: number;
  /** Delay before the first retry; doubled at each further attempt (ms). */
  backoffMs: number;
  maxBackoffMs: number;
  /** How long a claim holds a row (longer than a send can take) (ms). */
  leaseMs: number;
  /** Rows claimed per run of the delivery task. */
  batch: number;
  /** Sent and given-up rows are deleted after this (ms). */
  retentionMs: number;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;

/** deliver(): the claim ended before the sending mark; nothing was sent. */
const LOST = Symbol('claim lost');

/**
 * Sends alerts through the outbox (cicd_alert_outbox): an alert is written
 * first, then sent at once by whoever claims its row; a send that throws
 * leaves it pending with a backoff (`backoffMs * 2^(attempts-1)`, capped),
 * and the delivery task (`opsdeck-cicd-alert-delivery`, every replica) claims
 * due rows with one atomic statement and tries again. After `maxAttempts`
 * the alert is given up with an error log and an audit event
 * (`cicd-alert-given-up`).
 *
 * A claim has two phases. Right before `notifications.send` the sender marks
 * its row `sending` (one conditional UPDATE only the claim's holder can
 * make). A replica that dies before that mark leaves a row that was never
 * handed over: after the lease it is sent by another replica (at least
 * once). One that dies after the mark and before recording the send leaves
 * an outcome nobody knows (mail and robot channels downstream of Backstage
 * may have delivered it): the delivery task never sends such a row again;
 * when its lease ends it becomes `unknown` (one atomic statement, so one
 * replica reports it) with an error log and an audit event
 * (`cicd-alert-outcome-unknown`), and is listed with the given-up alerts for
 * a person to retry or leave (at most once, then a person decides).
 *
 * An alert that names monitoring's alert channels (`channels`) goes to them
 * in the same delivery, after the notification (monitoring-node's
 * `alertChannelsServiceRef`, one outcome per channel). Each part that went
 * out is recorded on the row at once (`delivered`), so a retry (the task's,
 * a person's) sends only the parts that failed or were never recorded: a
 * channel that failed does not notify the owner again.
 */
export class AlertDelivery {
  constructor(
    private readonly options: {
      store: OutboxStore;
      notifications: NotificationService;
      /**
       * Monitoring's alert channels, for alerts that name some
       * (`opsdeck.cicd.alerts.channels`).
       */
      channels?: AlertChannelsService;
      logger: LoggerService;
      auditor?: AuditorService;
      limits: DeliveryLimits;
      now?: () => number;
      /**
       * Fault injection (tests): called at `cicd.alert.claimed` (before the
       * sending mark) and `cicd.alert.handedOver` (after a send — the
       * notification, the channels —, before it is recorded); opsdeck-node's
       * crashPoint by default.
       */
      crashPoint?: (name: string) => void;
    },
  ) {}

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  /** Writes an alert to the outbox and tries to send it now. */
  async enqueue(alert: OutboxAlert): Promise<void> {
    const id = await this.write(alert);
    if (id !== undefined) await this.sendNow(id);
  }

  /**
   * Writes an alert to the outbox (in `db`, a transaction, when given);
   * its row id, or undefined when it was there already.
   */
  write(alert: OutboxAlert, db?: Knex): Promise<number | undefined> {
    return this.options.store.enqueue(alert, this.now(), db);
  }

  /** Claims one written row and sends it (a failure leaves it to the task). */
  async sendNow(id: number): Promise<void> {
    const { store, limits } = this.options;
    const [claimed] = await store.claim({
      token: randomUUID(),
      now: this.now(),
      leaseMs: limits.leaseMs,
      limit: 1,
      id,
    });
    if (claimed) await this.deliver(claimed);
  }

  /**
   * Sends a given-up alert again now (a person asked): the row is taken
   * back with one atomic statement, so two people or replicas retrying it
   * at once send it once; undefined when it is not given up (any more).
   * A send that throws gives it up again with the new error.
   */
  async retryNow(id: number): Promise<
    | {
        jobKey: string;
        number: number;
        status: 'sent' | 'given_up';
        error?: string;
      }
    | undefined
  > {
    const { store, limits } = this.options;
    const claimed = await store.claimGivenUp({
      id,
      token: randomUUID(),
      now: this.now(),
      leaseMs: limits.leaseMs,
    });
    if (!claimed) return undefined;
    const error = await this.deliver(claimed, { giveUpOnFailure: true });
    // the claim, just taken, ended before the send: nothing was sent
    if (error === LOST) return undefined;
    return {
      jobKey: claimed.jobKey,
      number: claimed.number,
      status: error === undefined ? 'sent' : 'given_up',
      ...(error !== undefined ? { error } : {}),
    };
  }

  /** Alerts given up after their retries, newest first. */
  givenUp() {
    return this.options.store.givenUp();
  }

  /** The delivery task: sends what is due; returns how many were claimed. */
  async run(): Promise<number> {
    const { store, limits } = this.options;
    const now = this.now();
    for (const alert of await store.expireSending(now)) {
      await this.outcomeUnknown(alert);
    }
    const claimed = await store.claim({
      token: randomUUID(),
      now,
      leaseMs: limits.leaseMs,
      limit: limits.batch,
    });
    for (const alert of claimed) await this.deliver(alert);
    await store.prune(now - limits.retentionMs);
    return claimed.length;
  }

  /**
   * Sends a claimed alert; the error when the send failed, LOST when the
   * claim ended before the sending mark (nothing sent).
   */
  private async deliver(
    alert: ClaimedAlert,
    options: { giveUpOnFailure?: boolean } = {},
  ): Promise<string | typeof LOST | undefined> {
    const { store, logger, limits } = this.options;
    const crash = this.options.crashPoint ?? crashPoint;
    const name = `${alert.jobKey} #${alert.number}`;
    crash('cicd.alert.claimed');
    if (
      !(await store.markSending(alert, {
        now: this.now(),
        leaseMs: limits.leaseMs,
      }))
    ) {
      logger.warn(
        `CI/CD alert for ${name} not sent: its claim ended before the send (lease ${limits.leaseMs} ms)`,
      );
      return LOST;
    }
    const error = await this.send(alert, crash);
    if (error !== undefined) {
      const giveUp =
        options.giveUpOnFailure || alert.attempts >= limits.maxAttempts;
      const delay = Math.min(
        limits.maxBackoffMs,
        limits.backoffMs * 2 ** (alert.attempts - 1),
      );
      const now = this.now();
      await store.failed(alert, error, { giveUp, nextAt: now + delay }, now);
      if (giveUp) {
        logger.error(
          `CI/CD alert for ${name} given up after ${alert.attempts} attempts: ${error}`,
        );
        // a person's retry is audited with the person as actor by the route
        if (!options.giveUpOnFailure)
          await this.auditFailure('cicd-alert-given-up', alert, error);
      } else {
        logger.warn(
          `CI/CD alert for ${name} could not be sent (attempt ${
            alert.attempts
          } of ${limits.maxAttempts}, next in ${Math.round(
            delay / 1000,
          )} s): ${error}`,
        );
      }
      return error;
    }
    if (!(await store.sent(alert, this.now()))) {
      logger.warn(
        `CI/CD alert for ${name} was sent after its claim had ended (lease ${limits.leaseMs} ms)`,
      );
    }
    return undefined;
  }

  /**
   * Sends what of a `sending` alert has not gone out yet: the owner's
   * notification, then the alert's monitoring channels (one request, one
   * outcome per channel). Each part that went out is recorded at once
   * (OutboxStore.progress), so a retry never sends it again; the errors of
   * the parts that failed, or undefined when all went out.
   */
  private async send(
    alert: ClaimedAlert,
    crash: (name: string) => void,
  ): Promise<string | undefined> {
    const { store, notifications, channels } = this.options;
    const delivered = new Set<DeliveredPart>(alert.delivered);
    const errors: string[] = [];
    const message = (e: unknown) => String((e as Error)?.message ?? e);
    if (!delivered.has('notifications')) {
      let notified = false;
      try {
        await notifications.send({
          recipients: { type: 'entity', entityRef: [alert.owner] },
          payload: alert.payload,
        });
        notified = true;
      } catch (e) {
        errors.push(message(e));
      }
      if (notified) {
        delivered.add('notifications');
        crash('cicd.alert.handedOver');
        await store.progress(alert, [...delivered], this.now());
      }
    }
    const pending = (alert.channels ?? []).filter(
      c => !delivered.has(`channel:${c}`),
    );
    if (pending.length) {
      let outcomes: AlertChannelOutcome[] | undefined;
      try {
        if (!channels) throw new Error('monitoring alert channels not wired');
        outcomes = await channels.send({
          channels: pending,
          title: alert.payload.title,
          text: alert.payload.description ?? '',
          severity: alert.payload.severity ?? 'normal',
          ...(alert.payload.link ? { link: alert.payload.link } : {}),
          ...(alert.payload.scope ? { scope: alert.payload.scope } : {}),
        });
      } catch (e) {
        errors.push(`channels ${pending.join(', ')}: ${message(e)}`);
      }
      if (outcomes) {
        for (const channel of pending) {
          const outcome = outcomes.find(o => o.channel === channel);
          if (outcome?.ok) delivered.add(`channel:${channel}`);
          else
            errors.push(
              `channel ${channel}: ${outcome?.error ?? 'no outcome'}`,
            );
        }
        crash('cicd.alert.handedOver');
        await store.progress(alert, [...delivered], this.now());
      }
    }
    return errors.length ? errors.join('; ') : undefined;
  }

  /** A row whose sender stopped mid-send: logged and audited, not sent again. */
  private async outcomeUnknown(alert: UnknownAlert) {
    const { logger } = this.options;
    const name = `${alert.jobKey} #${alert.number}`;
    const reason =
      'a replica stopped while sending it, before recording the send; it may have gone out';
    logger.error(
      `CI/CD alert for ${name} not sent again: ${reason} (attempt ${alert.attempts}); listed with the given-up alerts for a person to retry`,
    );
    await this.auditFailure('cicd-alert-outcome-unknown', alert, reason, {
      sendingAt: alert.sendingAt,
    });
  }

  /**
   * Audits, with the plugin as actor, that `alert` was not delivered
   * (`eventId`, failed with `error`); an auditor error is logged, never thrown.
   */
  private async auditFailure(
    eventId: 'cicd-alert-given-up' | 'cicd-alert-outcome-unknown',
    alert: ClaimedAlert | UnknownAlert,
    error: string,
    meta: { sendingAt?: number } = {},
  ) {
    const { auditor, logger } = this.options;
    if (!auditor) return;
    try {
      const event = await auditor.createEvent({
        eventId,
        severityLevel: 'high',
        meta: {
          actor: 'plugin:cicd',
          job: alert.jobKey,
          build: alert.number,
          owner: alert.owner,
          attempts: alert.attempts,
          title: alert.payload.title,
          ...meta,
        },
      });
      await event.fail({ error: new Error(error) });
    } catch (e) {
      logger.warn(`Cannot audit ${eventId}: ${e}`);
    }
  }
}
