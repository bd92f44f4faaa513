import type {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { AlertEvent } from '@opsdeck/plugin-monitoring-common';
import {
  audited,
  coded,
  principalRef,
  type createRequestGuard,
  type RateLimiter,
} from '@opsdeck/plugin-opsdeck-node';
import type { AlertRouter } from '../alerts/AlertRouter';
import type { MonitoringConfig } from '../config';
import type { createOpenApiRouter } from '../schema/openapi.generated';

/**
 * The channels (list, message preview, test send, another plugin's
 * message) and a person's retry of one delivery. Test sends and retries are
 * limited per person (`sends`). The guard has checked each operation's permission
 * (src/schema/access.ts) before the request was parsed; changes and
 * refusals are audited with the person as actor.
 */
export function registerDeliveryRoutes(
  router: Awaited<ReturnType<typeof createOpenApiRouter>>,
  options: {
    guard: ReturnType<typeof createRequestGuard>;
    alerts: AlertRouter;
    config: MonitoringConfig;
    auditor: AuditorService;
    /**
     * Messages a person sends by hand (`opsdeck.monitoring.limits.
     * sendsPerMinute`): test sends per channel, retries together. Checked
     * right after the guard; a refused call sends and writes nothing.
     */
    sends: RateLimiter;
    /** Whether the person may read an alert (the scope of GET /alerts). */
    readable(
      event: AlertEvent,
      credentials: BackstageCredentials,
    ): Promise<boolean>;
  },
) {
  const { guard, alerts, config, auditor, sends } = options;

  router.get('/channels', async (_req, res) => {
    res.json({
      items: config.channels.map(c => ({
        name: c.name,
        type: c.type,
        owners: c.owners,
      })),
    });
  });

  router.get('/channels/:name/preview', async (req, res) => {
    const actor = principalRef(await guard.credentials(req, ['user']));
    const preview = await audited(
      auditor,
      {
        eventId: 'monitoring-channel-preview',
        severityLevel: 'low',
        request: req,
        target: `monitoring-channel:${req.params.name}`,
      },
      () => alerts.preview(req.params.name, actor),
    );
    res.json(preview);
  });

  router.post('/channels/send', async (req, res) => {
    const credentials = await guard.credentials(req, ['service']);
    const { subject } = credentials.principal as { subject: string };
    const outcomes = await audited(
      auditor,
      {
        eventId: 'monitoring-channel-send',
        severityLevel: 'medium',
        request: req,
        target: `monitoring-channels:${req.body.channels.join(',')}`,
        meta: { plugin: subject, title: req.body.title },
        successMeta: r => ({
          sent: r.filter(o => o.ok).map(o => o.channel),
          failed: r.filter(o => !o.ok).map(o => o.channel),
        }),
      },
      async () => {
        // a backend plugin's own token, not a static one (Prometheus',
        // Alertmanager's): only plugins send through the channels
        if (!subject.startsWith('plugin:')) {
          throw coded(
            new NotAllowedError(
              'Only backend plugins may send through the alert channels',
            ),
            'monitoring-send-plugins-only',
          );
        }
        return alerts.sendMessage(req.body, subject.slice('plugin:'.length));
      },
    );
    res.json({ outcomes });
  });

  router.post('/channels/:name/test', async (req, res) => {
    const actor = principalRef(await guard.credentials(req, ['user']));
    await sends.enforce(res, {
      person: actor,
      subject: `test:${req.params.name}`,
    });
    const result = await audited(
      auditor,
      {
        eventId: 'monitoring-channel-test',
        severityLevel: 'medium',
        request: req,
        target: `monitoring-channel:${req.params.name}`,
        successMeta: r => ({ alertId: r.event.id }),
      },
      () => alerts.testSend(req.params.name, actor),
    );
    res.json(result);
  });

  router.post('/deliveries/:id/retry', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    await sends.enforce(res, {
      person: principalRef(credentials),
      subject: 'retry',
    });
    const id = Number(req.params.id);
    const confirmUnknown = req.body?.confirmUnknown === true;
    const delivery = await audited(
      auditor,
      {
        eventId: 'monitoring-delivery-retry',
        severityLevel: 'medium',
        request: req,
        target: `monitoring-delivery:${id}`,
        meta: { confirmUnknown },
        successMeta: d => ({
          alertId: d.eventId,
          channel: d.channel,
          state: d.state,
          attempts: d.attempts,
        }),
      },
      () =>
        alerts.retryDelivery(id, {
          confirmUnknown,
          readable: event => options.readable(event, credentials),
        }),
    );
    res.json(delivery);
  });
}
