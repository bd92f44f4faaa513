import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type {
  AlertDelivery,
  AlertEvent,
  AlertStatus,
} from '@opsdeck/plugin-monitoring-common';
import { randomUUID } from 'node:crypto';
import type { ChannelConfig, MonitoringConfig } from '../config';
import type { EscalationCandidate } from '../database/EscalationStore';
import type { AlertStore, NewAlertEvent } from '../database/AlertStore';
import { renderAlert } from '../channels/render';
import { DeliveryError, SENDERS } from '../channels/senders';
import { dueStep, lastStep, renderStep, stepTargets } from './escalation';
import { escalatingPolicies, policyFor } from './escalationConfig';

/** One alert of Alertmanager's webhook payload (version 4). */
export interface WebhookAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint: string;
}

/** The owner group of a catalog entity (full lower-case ref), read with the plugin's own credentials. */
export type OwnerOf = (entityRef: string) => Promise<string | undefined>;

/** The signing secret of a channel, from the vault at use. */
export type SecretOf = (channel: ChannelConfig) => Promise<string>;

function isoOrRaw(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  // Alertmanager's "zero" end time of a firing alert
  if (Number.isNaN(t) || t <= 0) return undefined;
  return new Date(t).toISOString();
}

/**
 * The alert router: records each alert state once (one insert, unique on
 * fingerprint, status and start), routes it to the channels of its owner
 * group (read from the catalog, not from the alert's labels) and delivers
 * it, recording every attempt. A test send takes the same path.
 */
export class AlertRouter {
  constructor(
    private readonly options: {
      store: AlertStore;
      config: MonitoringConfig;
      ownerOf: OwnerOf;
      secretOf: SecretOf;
      notifications?: NotificationService;
      logger: LoggerService;
      /** Link to an alert in opsdeck. */
      linkOf?: (event: AlertEvent) => string;
      now?: () => Date;
    },
  ) {}

  get store() {
    return this.options.store;
  }

  private now() {
    return this.options.now?.() ?? new Date();
  }

  /** The channels an alert of this owner goes to. */
  channelsFor(owner: string | undefined): ChannelConfig[] {
    return this.options.config.channels.filter(
      c => c.owners.length === 0 || (owner && c.owners.includes(owner)),
    );
  }

  private async toEvent(
    alert: WebhookAlert,
    test: boolean,
  ): Promise<NewAlertEvent> {
    const labels = alert.labels;
    const annotations = alert.annotations ?? {};
    const entityRef = labels.opsdeck_entity?.toLocaleLowerCase('en-US');
    const owner = entityRef
      ? await this.options.ownerOf(entityRef).catch(() => undefined)
      : undefined;
    const event: NewAlertEvent = {
      fingerprint: alert.fingerprint,
      status: alert.status,
      startsAt: isoOrRaw(alert.startsAt) ?? alert.startsAt.slice(0, 32),
      alertname: (labels.alertname ?? 'unnamed').slice(0, 255),
      labels,
      annotations,
      test,
    };
    const endsAt = isoOrRaw(alert.endsAt);
    if (endsAt) event.endsAt = endsAt;
    if (entityRef) event.entityRef = entityRef.slice(0, 255);
    if (owner) event.owner = owner;
    if (labels.severity) event.severity = labels.severity.slice(0, 64);
    if (annotations.summary) event.summary = annotations.summary;
    return event;
  }

  /**
   * Records and delivers Alertmanager's alerts. Each new alert state is
   * delivered by the one caller whose insert created it; duplicates (another
   * replica, a retry, a repeat notification) are counted, not sent.
   */
  async receive(
    alerts: WebhookAlert[],
  ): Promise<{ accepted: number; duplicates: number }> {
    let accepted = 0;
    let duplicates = 0;
    for (const alert of alerts) {
      const event = await this.toEvent(alert, false);
      const id = await this.options.store.insertEvent(event, this.now());
      if (id === undefined) {
        duplicates++;
        continue;
      }
      accepted++;
      await this.deliver(id, this.channelsFor(event.owner));
    }
    return { accepted, duplicates };
  }

  /** Sends a firing test alert through one channel by the path of a real alert. */
  async testSend(
    channelName: string,
    actor: string,
  ): Promise<{ event: AlertEvent; deliveries: AlertDelivery[] }> {
    const channel = this.options.config.channels.find(
      c => c.name === channelName,
    );
    if (!channel) throw new NotFoundError(`No channel ${channelName}`);
    const event = await this.toEvent(
      {
        status: 'firing',
        fingerprint: `test-${randomUUID().slice(0, 18)}`,
        startsAt: this.now().toISOString(),
        labels: { alertname: 'OpsdeckTestAlert', severity: 'info' },
        annotations: { summary: `Test send by ${actor}` },
      },
      true,
    );
    const id = (await this.options.store.insertEvent(event, this.now()))!;
    await this.deliver(id, [channel]);
    return {
      event: (await this.options.store.getEvent(id))!,
      deliveries: await this.options.store.deliveries(id),
    };
  }

  /**
   * Sends failed deliveries again (at most `maxAttempts` attempts in all, for
   * alert states received in the last hour); run by one replica at a time
   * (a global scheduled task). Returns how many were retried.
   */
  async retryFailed(maxAttempts = 3): Promise<number> {
    const since = new Date(this.now().getTime() - 3_600_000);
    const failed = await this.options.store.retryable(maxAttempts, since);
    for (const { eventId, channel, step } of failed) {
      const config = this.options.config.channels.find(c => c.name === channel);
      if (config) await this.deliver(eventId, [config], step);
    }
    return failed.length;
  }

  /**
   * Escalates the open firing alerts nobody acknowledged (the policy of
   * `opsdeck.monitoring.escalation`) as of `now`: each due step is claimed
   * with one conditional UPDATE (exactly one replica wins it) and delivered
   * by the usual path (attempts, retries, history) with a message saying it
   * is an escalation or a reminder. Run every minute by a scheduled task;
   * returns how many steps it sent.
   */
  async escalate(now: Date): Promise<number> {
    const policies = escalatingPolicies(this.options.config.escalation);
    if (policies.length === 0) return 0;
    const escalations = this.options.store.escalations;
    // the widest window of every policy; each candidate's own policy decides
    const receivedBefore = new Date(
      now.getTime() - Math.min(...policies.map(p => p.afterMinutes)) * 60_000,
    );
    const maxStep = Math.max(...policies.map(lastStep));
    let sent = 0;
    // page by id through every candidate (many waiting for their next
    // reminder must not hide newer ones)
    for (
      let page = await escalations.candidates(receivedBefore, maxStep);
      page.length > 0;
      page = await escalations.candidates(
        receivedBefore,
        maxStep,
        page[page.length - 1].id,
      )
    ) {
      sent += await this.escalatePage(page, now);
    }
    return sent;
  }

  private async escalatePage(
    candidates: EscalationCandidate[],
    now: Date,
  ): Promise<number> {
    const escalations = this.options.store.escalations;
    let sent = 0;
    for (const candidate of candidates) {
      // chosen by the severity and owner recorded at receipt
      const policy = policyFor(this.options.config.escalation, candidate);
      if (!policy) continue;
      const step = dueStep(policy, candidate.receivedAt, now);
      if (step <= candidate.step) continue;
      if (!(await escalations.claimStep(candidate.id, candidate.step, step))) {
        continue; // another replica, an acknowledgement or a resolution won
      }
      const event = await this.options.store.getEvent(candidate.id);
      if (!event) continue;
      const targets = stepTargets(
        policy,
        this.options.config.channels,
        owner => this.channelsFor(owner),
        event,
        step,
      );
      this.options.logger.info(
        `monitoring: alert ${candidate.id} unacknowledged, escalation policy ${
          policy.name
        } step ${step} to ${targets.map(t => t.channel.name).join(', ')}`,
      );
      await this.deliver(
        candidate.id,
        targets.map(t => t.channel),
        step,
      );
      sent++;
    }
    return sent;
  }

  /**
   * Delivers a recorded event to channels (in parallel), recording each
   * attempt; `step` > 0 is an escalation step (its own deliveries, its own
   * message, Backstage notifications to the groups it is escalated to).
   */
  async deliver(
    eventId: number,
    channels: ChannelConfig[],
    step = 0,
  ): Promise<void> {
    const event = await this.options.store.getEvent(eventId);
    if (!event) return;
    const policy = policyFor(this.options.config.escalation, event);
    if (step > 0 && !policy) return;
    const message =
      step > 0
        ? renderStep(renderAlert(event), policy!, step)
        : renderAlert(event);
    const groupsOf = new Map(
      step > 0
        ? stepTargets(
            policy!,
            this.options.config.channels,
            owner => this.channelsFor(owner),
            event,
            step,
          ).map(t => [t.channel.name, t.groups] as const)
        : [],
    );
    await Promise.all(
      channels.map(async channel => {
        const deliveryId = await this.options.store.startDelivery(
          eventId,
          channel.name,
          channel.type,
          this.now(),
          step,
        );
        // another caller restarted this delivery first: it sends, not this one
        if (deliveryId === undefined) return;
        let error: string | undefined;
        try {
          const secret = channel.secretCredential
            ? await this.options.secretOf(channel).catch(e => {
                throw new DeliveryError(
                  `vault: ${(e as Error).name}: ${(e as Error).message}`.slice(
                    0,
                    300,
                  ),
                );
              })
            : undefined;
          await SENDERS[channel.type]({
            channel,
            event,
            message,
            secret,
            timeoutMs: this.options.config.deliveryTimeoutMs,
            now: this.now(),
            smtp: this.options.config.smtp,
            notifications: this.options.notifications,
            link: this.options.linkOf?.(event),
            ...(step > 0
              ? { step, recipients: groupsOf.get(channel.name) }
              : {}),
          });
        } catch (e) {
          error =
            e instanceof DeliveryError
              ? e.message
              : `${(e as Error).name ?? 'Error'}`;
          this.options.logger.warn(
            `monitoring: delivery of alert ${eventId} to ${channel.name} failed: ${error}`,
          );
        }
        await this.options.store.finishDelivery(
          deliveryId,
          { error },
          this.now(),
        );
      }),
    );
  }
}
