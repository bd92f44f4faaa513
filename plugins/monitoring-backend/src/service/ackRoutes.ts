import type { AuditorService } from '@backstage/backend-plugin-api';
import { audited, type createRequestGuard } from '@opsdeck/plugin-opsdeck-node';
import type { AckService } from '../alerts/AckService';
import type { createOpenApiRouter } from '../schema/openapi.generated';

/**
 * POST / DELETE /alerts/{id}/ack. The guard has checked
 * opsdeck.monitoring.alert.acknowledge before the request was parsed; the
 * service decides whether the person may act on this alert (scope, owner
 * group). Refusals and changes are audited with the person as actor.
 */
export function registerAckRoutes(
  router: Awaited<ReturnType<typeof createOpenApiRouter>>,
  options: {
    guard: ReturnType<typeof createRequestGuard>;
    acks: AckService;
    auditor: AuditorService;
  },
) {
  const { guard, acks, auditor } = options;

  router.post('/alerts/:id/ack', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const id = Number(req.params.id);
    const comment = req.body?.comment;
    const event = await audited(
      auditor,
      {
        eventId: 'monitoring-alert-acknowledge',
        request: req,
        target: `monitoring-alert:${id}`,
        meta: { comment: comment ?? null },
        successMeta: e => ({
          alertname: e.alertname,
          entityRef: e.entityRef ?? null,
        }),
      },
      () => acks.acknowledge(id, credentials, comment),
    );
    res.json(event);
  });

  router.delete('/alerts/:id/ack', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const id = Number(req.params.id);
    const event = await audited(
      auditor,
      {
        eventId: 'monitoring-alert-unacknowledge',
        request: req,
        target: `monitoring-alert:${id}`,
        successMeta: e => ({
          alertname: e.alertname,
          entityRef: e.entityRef ?? null,
        }),
      },
      () => acks.unacknowledge(id, credentials),
    );
    res.json(event);
  });
}
