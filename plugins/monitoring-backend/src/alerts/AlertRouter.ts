import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type {
  AlertDelivery,
  AlertEvent,
  AlertStatus,
  ChannelPreview,
  DeliveryState,
} from '@opsdeck/plugin-monitoring-common';
import { coded } from '@opsdeck/plugin-opsdeck-node';
import { randomUUID } from 'node:crypto';
import type { ChannelConfig, MonitoringConfig } from '../config';
import type { EscalationCandidate } from '../database/EscalationStore';
import type { AlertStore, NewAlertEvent } from '../database/AlertStore';
import { plain, renderAlert, type RenderedAlert } from '../channels/render';
import {
  DeliveryError,
  MESSAGE_TEXT,
  SENDERS,
  type SendContext,
} from '../channels/senders';
import { dueStep, lastStep, renderStep, stepTargets } from './escalation';
import { escalatingPolicies, policyFor } from './escalationConfig';
import { pageOnCall, type OnCallFor } from './pageOnCall';

/** One alert of Alertmanager's webhook payload (version 4). */
export interface WebhookAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  fingerprint: string;
}

/** Another plugin's message for some channels (POST /channels/send). */
export interface ChannelMessage {
  channels: string[];
  title: string;
  text: string;
  severity: 'critical' | 'high' | 'normal' | 'low';
  link?: string;
  scope?: string;
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
      /** The people on call for a group (rotations): paged on firing and each escalation step. */
      onCallFor?: OnCallFor;
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
      if (event.status === 'firing' && event.owner) {
        await this.page(id, [event.owner]);
      }
    }
    return { accepted, duplicates };
  }

  private channel(name: string): ChannelConfig {
    const channel = this.options.config.channels.find(c => c.name === name);
    if (!channel) throw new NotFoundError(`No channel ${name}`);
    return channel;
  }

  /** The firing test alert of a test send (and of a preview). */
  private sampleAlert(actor: string): Promise<NewAlertEvent> {
    return this.toEvent(
      {
        status: 'firing',
        fingerprint: `test-${randomUUID().slice(0, 18)}`,
        startsAt: this.now().toISOString(),
        labels: { alertname: 'OpsdeckTestAlert', severity: 'info' },
        annotations: { summary: `Test send by ${actor}` },
      },
      true,
    );
  }

  /**
   * The message a test send by `actor` would put on a channel, rendered by
   * the senders' own code; nothing is recorded or sent. (A sent mail adds
   * the link to the recorded alert, which a preview does not have yet.)
   */
  async preview(channelName: string, actor: string): Promise<ChannelPreview> {
    const channel = this.channel(channelName);
    const event: AlertEvent = {
      ...(await this.sampleAlert(actor)),
      id: 0,
      receivedAt: this.now().toISOString(),
    };
    const message = renderAlert(event);
    return {
      channel: channel.name,
      type: channel.type,
      title: message.title,
      lines: message.lines,
      text: MESSAGE_TEXT[channel.type]({ channel, event, message }),
    };
  }

  /** Sends a firing test alert through one channel by the path of a real alert. */
  async testSend(
    channelName: string,
    actor: string,
  ): Promise<{ event: AlertEvent; deliveries: AlertDelivery[] }> {
    const channel = this.channel(channelName);
    const event = await this.sampleAlert(actor);
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
   * Sends one failed delivery again now, for a person; an `unknown` one
   * (it may already have gone out) only with `confirmUnknown`. The delivery
   * is claimed with one conditional UPDATE ({@link AlertStore.restartDelivery}):
   * of parallel retries exactly one sends, the others get a 409. `readable`
   * decides whether the person may see the delivery's alert (404 if not).
   */
  async retryDelivery(
    id: number,
    options: {
      confirmUnknown: boolean;
      readable: (event: AlertEvent) => Promise<boolean>;
    },
  ): Promise<AlertDelivery> {
    const store = this.options.store;
    const delivery = await store.getDelivery(id);
    const event = delivery && (await store.getEvent(delivery.eventId));
    if (!delivery || !event || !(await options.readable(event))) {
      throw new NotFoundError(`No delivery ${id}`);
    }
    const channel = this.options.config.channels.find(
      c => c.name === delivery.channel,
    );
    if (!channel) {
      throw coded(
        new ConflictError(
          `The channel ${delivery.channel} is no longer configured`,
        ),
        'monitoring-channel-gone',
        { channel: delivery.channel },
      );
    }
    const from: DeliveryState[] = options.confirmUnknown
      ? ['failed', 'unknown']
      : ['failed'];
    if (!(await store.restartDelivery(id, from, this.now()))) {
      const state = (await store.getDelivery(id))?.state ?? 'gone';
      if (state === 'unknown') {
        throw coded(
          new ConflictError(
            `Delivery ${id} may already have gone out (unknown); confirm to send it again`,
          ),
          'monitoring-delivery-unknown-unconfirmed',
        );
      }
      throw coded(
        new ConflictError(
          `Delivery ${id} is ${state}: only a failed or unknown delivery is sent again`,
        ),
        'monitoring-delivery-not-retryable',
        { state },
      );
    }
    this.options.logger.info(
      `monitoring: delivery ${id} of alert ${delivery.eventId} to ${channel.name} (was ${delivery.state}) sent again by a person`,
    );
    await this.deliver(delivery.eventId, [channel], delivery.step ?? 0, id);
    return (await store.getDelivery(id))!;
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
      // the owner's and the escalation groups' people on call, each step
      await this.page(
        candidate.id,
        [
          ...(event.owner ? [event.owner] : []),
          ...policy.notify.flatMap(t => (t.group ? [t.group] : [])),
        ],
        step,
      );
      sent++;
    }
    return sent;
  }

  /** Pages the people on call for `groups` about a recorded event (its message for the step). */
  private async page(eventId: number, groups: string[], step = 0) {
    const event = await this.options.store.getEvent(eventId);
    const policy = event && policyFor(this.options.config.escalation, event);
    if (!event || (step > 0 && !policy)) return;
    const message = renderAlert(event);
    await pageOnCall({
      ...this.options,
      event,
      message: step > 0 ? renderStep(message, policy!, step) : message,
      groups,
      at: this.now(),
      step,
      link: this.options.linkOf?.(event),
    });
  }

  /**
   * Delivers a recorded event to channels (in parallel), recording each
   * attempt; `step` > 0 is an escalation step (its own deliveries, its own
   * message, Backstage notifications to the groups it is escalated to).
   * `claimed`: the id of a delivery already claimed for its one channel (a
   * person's retry), sent without claiming it again.
   */
  async deliver(
    eventId: number,
    channels: ChannelConfig[],
    step = 0,
    claimed?: number,
  ): Promise<void> {
    const event = await this.options.store.getEvent(eventId);
    const policy = event && policyFor(this.options.config.escalation, event);
    if (!event || (step > 0 && !policy)) {
      // a claimed delivery is not left sending
      if (claimed !== undefined) {
        await this.options.store.finishDelivery(
          claimed,
          { error: 'the alert or its escalation policy is gone' },
          this.now(),
        );
      }
      return;
    }
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
        const deliveryId =
          claimed ??
          (await this.options.store.startDelivery(
            eventId,
            channel.name,
            channel.type,
            this.now(),
            step,
          ));
        // another caller restarted this delivery first: it sends, not this one
        if (deliveryId === undefined) return;
        const error = await this.sendThrough(channel, {
          event,
          message,
          link: this.options.linkOf?.(event),
          ...(step > 0 ? { step, recipients: groupsOf.get(channel.name) } : {}),
        });
        if (error !== undefined) {
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

  /**
   * Sends one message through one channel by its sender (the signing secret
   * from the vault at use): the error, safe to store and show (no URL, no
   * secret), or undefined when it was sent.
   */
  private async sendThrough(
    channel: ChannelConfig,
    ctx: Pick<
      SendContext,
      'event' | 'message' | 'link' | 'step' | 'recipients'
    >,
  ): Promise<string | undefined> {
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
        ...ctx,
        channel,
        secret,
        timeoutMs: this.options.config.deliveryTimeoutMs,
        now: this.now(),
        smtp: this.options.config.smtp,
        notifications: this.options.notifications,
      });
      return undefined;
    } catch (e) {
      return e instanceof DeliveryError
        ? e.message
        : `${(e as Error).name ?? 'Error'}`;
    }
  }

  /**
   * Another plugin's message (`plugin`, e.g. cicd) through the named
   * channels, by the senders of real alerts; nothing is recorded as an
   * alert. Every channel must exist, else nothing is sent (404
   * monitoring-channel-unknown). One outcome per channel, in order.
   */
  async sendMessage(
    request: ChannelMessage,
    plugin: string,
  ): Promise<Array<{ channel: string; ok: boolean; error?: string }>> {
    const names = [...new Set(request.channels)];
    const channels = names.map(name => {
      const channel = this.options.config.channels.find(c => c.name === name);
      if (!channel) {
        throw coded(
          new NotFoundError(`No channel ${name}`),
          'monitoring-channel-unknown',
          { channel: name },
        );
      }
      return channel;
    });
    const now = this.now().toISOString();
    // a high or critical message fires (red); a normal one (a recovery) resolves
    const firing =
      request.severity === 'high' || request.severity === 'critical';
    const event: AlertEvent = {
      id: 0,
      fingerprint: `${plugin}:${request.scope ?? randomUUID()}`,
      status: firing ? 'firing' : 'resolved',
      startsAt: now,
      alertname: request.title,
      severity: request.severity,
      summary: request.text,
      labels: { opsdeck_source: plugin },
      annotations: {},
      receivedAt: now,
      test: false,
    };
    const message: RenderedAlert = {
      title: plain(request.title),
      lines: request.text
        .split('\n')
        .map(line => plain(line, 500))
        .filter(Boolean),
      firing,
    };
    return Promise.all(
      channels.map(async channel => {
        const error = await this.sendThrough(channel, {
          event,
          message,
          link: request.link,
        });
        if (error !== undefined) {
          this.options.logger.warn(
            `monitoring: ${plugin}'s message to ${channel.name} failed: ${error}`,
          );
        }
        return {
          channel: channel.name,
          ok: error === undefined,
          ...(error !== undefined ? { error } : {}),
        };
      }),
    );
  }
}
