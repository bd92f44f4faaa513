import type { AuditorService } from '@backstage/backend-plugin-api';
import type {
  RotationInput,
  RotationOverrideInput,
} from '@opsdeck/plugin-monitoring-common';
import { audited, type createRequestGuard } from '@opsdeck/plugin-opsdeck-node';
import type { OnCallService } from '../oncall/OnCallService';
import type { createOpenApiRouter } from '../schema/openapi.generated';

const auditText = (value: unknown) =>
  typeof value === 'string' ? value.slice(0, 255) : null;

/**
 * /oncall/*: on-call rotations and overrides, and who is on call now. The
 * guard has checked the operation's permission (src/schema/access.ts) before
 * the request was parsed; the service decides the rest (group shown to the
 * person, members of the group). Every change, and every refusal of one, is
 * audited with the person as actor.
 */
export function registerOnCallRoutes(
  router: Awaited<ReturnType<typeof createOpenApiRouter>>,
  options: {
    guard: ReturnType<typeof createRequestGuard>;
    oncall: OnCallService;
    auditor: AuditorService;
  },
) {
  const { guard, oncall, auditor } = options;

  router.get('/oncall/rotations', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    res.json({ items: await oncall.list(credentials, req.query.group) });
  });

  router.get('/oncall/now', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    res.json(await oncall.now(req.query.group, credentials));
  });

  router.post('/oncall/rotations', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const input = req.body as RotationInput;
    const rotation = await audited(
      auditor,
      {
        eventId: 'monitoring-rotation-create',
        request: req,
        target: auditText(input.group) ?? 'monitoring-rotation',
        meta: { name: auditText(input.name) },
        successMeta: r => ({ rotationId: r.id, after: { ...r } }),
      },
      () => oncall.create(input, credentials),
    );
    res.status(201).json(rotation);
  });

  router.put('/oncall/rotations/:id', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const id = Number(req.params.id);
    const { after } = await audited(
      auditor,
      {
        eventId: 'monitoring-rotation-update',
        request: req,
        target: `monitoring-rotation:${id}`,
        successMeta: r => ({ before: { ...r.before }, after: { ...r.after } }),
      },
      () => oncall.update(id, req.body as RotationInput, credentials),
    );
    res.json(after);
  });

  router.delete('/oncall/rotations/:id', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const id = Number(req.params.id);
    await audited(
      auditor,
      {
        eventId: 'monitoring-rotation-delete',
        request: req,
        target: `monitoring-rotation:${id}`,
        successMeta: before => ({ before: { ...before } }),
      },
      () => oncall.delete(id, credentials),
    );
    res.status(204).end();
  });

  router.post('/oncall/rotations/:id/overrides', async (req, res) => {
    const credentials = await guard.credentials(req, ['user']);
    const id = Number(req.params.id);
    const input = req.body as RotationOverrideInput;
    const override = await audited(
      auditor,
      {
        eventId: 'monitoring-override-create',
        request: req,
        target: `monitoring-rotation:${id}`,
        meta: {
          user: auditText(input.user),
          start: auditText(input.start),
          end: auditText(input.end),
        },
        successMeta: o => ({ overrideId: o.id }),
      },
      () => oncall.addOverride(id, input, credentials),
    );
    res.status(201).json(override);
  });

  router.delete(
    '/oncall/rotations/:id/overrides/:overrideId',
    async (req, res) => {
      const credentials = await guard.credentials(req, ['user']);
      const id = Number(req.params.id);
      const overrideId = Number(req.params.overrideId);
      await audited(
        auditor,
        {
          eventId: 'monitoring-override-delete',
          request: req,
          target: `monitoring-rotation:${id}`,
          meta: { overrideId },
          successMeta: o => ({ before: { ...o } }),
        },
        () => oncall.deleteOverride(id, overrideId, credentials),
      );
      res.status(204).end();
    },
  );
}
