import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { createDeployImageAction } from '@opsdeck/plugin-scaffolder-backend-module-opsdeck';
import type { AddressInfo } from 'node:net';
import { COMPONENT_ID, NAMESPACE } from '../testUtils/fixtureObjects';
import { useActionsFixture } from '../__testUtils__/actionsFixture';
import { REGISTRY, REGISTRY_TAGS } from '../__testUtils__/testBackend';

const TOKEN = 'fixture-sa-token-scaffolder-31a0';
const NEW_TAG = `${REGISTRY.host}/shop/${COMPONENT_ID}:1.9.0`;
const NEW_PINNED = `${REGISTRY.host}/shop/${COMPONENT_ID}@${
  REGISTRY_TAGS[`shop/${COMPONENT_ID}:1.9.0`]
}`;
const OLD_IMAGE = `registry.example.com/shop/${COMPONENT_ID}:1.8.2`;

/**
 * The scaffolder action `opsdeck:kubernetes:deploy-image` against this
 * module's real routes (and the fixture cluster), calling with a token on
 * behalf of the person who runs the template.
 */
describe('opsdeck:kubernetes:deploy-image against the kubernetes module', () => {
  const fx = useActionsFixture(TOKEN, { freshCluster: true });
  let action: ReturnType<typeof createDeployImageAction>;

  beforeAll(async () => {
    const { port } = fx.backend.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}/api`;
    action = createDeployImageAction({
      discovery: {
        getBaseUrl: async (id: string) => `${base}/${id}`,
        getExternalBaseUrl: async (id: string) => `${base}/${id}`,
      },
      auth: mockServices.auth(),
    });
  });

  function run(
    user: string,
    input: Record<string, unknown>,
    using = action,
  ): Promise<{
    error?: Error;
    outputs: Record<string, unknown>;
    info: string[];
    errors: string[];
  }> {
    const logger = mockServices.logger.mock();
    const outputs: Record<string, unknown> = {};
    const credentials: BackstageCredentials = mockCredentials.user(
      `user:default/${user}`,
    );
    const ctx = {
      input: {
        component: `component:default/${COMPONENT_ID}`,
        cluster: 'resource:default/k8s-test',
        namespace: NAMESPACE,
        deployment: COMPONENT_ID,
        container: 'api',
        image: NEW_TAG,
        ...input,
      },
      logger,
      workspacePath: '/tmp',
      task: { id: 'task-1' },
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
      createTemporaryDirectory: jest.fn(),
      checkpoint: async ({ fn }: { fn: () => unknown }) => fn(),
      getInitiatorCredentials: async () => credentials,
    };
    const lines = (level: 'info' | 'error') =>
      logger[level].mock.calls.map(c => String(c[0]));
    return using.handler(ctx as any).then(
      () => ({ outputs, info: lines('info'), errors: lines('error') }),
      error => ({
        error,
        outputs,
        info: lines('info'),
        errors: lines('error'),
      }),
    );
  }

  const imageOf = () =>
    (fx.cluster.find('Deployment', NAMESPACE, COMPONENT_ID)!.spec as any)
      .template.spec.containers[0].image;

  it('deploys as the person running the template and logs the rollout', async () => {
    const result = await run('dave', {});
    expect(result.error).toBeUndefined();
    expect(result.outputs).toEqual({
      image: NEW_PINNED,
      digest: REGISTRY_TAGS[`shop/${COMPONENT_ID}:1.9.0`],
      rollout: 'complete',
    });
    expect(result.info).toEqual(
      expect.arrayContaining([
        `api: ${OLD_IMAGE} → ${NEW_PINNED} (tag 1.9.0)`,
        expect.stringMatching(
          /\] Waiting for deployment "payments-api" rollout to finish: 1 out of 2 new replicas have been updated\.\.\. \(1\/2 updated, 2 available\)$/,
        ),
        `deployment "${COMPONENT_ID}" successfully rolled out`,
      ]),
    );
    expect(imageOf()).toBe(NEW_PINNED);
    // the person, not the scaffolder, is the actor
    expect(
      fx.backend.events.find(e => e.eventId === 'kubernetes-deployment-image'),
    ).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
    });
  });

  it("is refused what the person may not do (a viewer's run changes nothing)", async () => {
    const result = await run('erin', {});
    expect(result.error?.message).toMatch(/^The deployment was refused: 403: /);
    expect(fx.cluster.requests).toEqual([]);
    expect(
      fx.backend.events.find(e => e.eventId === 'kubernetes-deployment-image'),
    ).toMatchObject({
      status: 'failed',
      actor: { actorId: 'user:default/erin' },
    });
  });

  it('fails on a failed rollout and rolls back when asked', async () => {
    fx.cluster.rolloutMode = 'fail';
    const result = await run('dave', { rollbackOnFailure: true });
    expect(result.error?.message).toBe(
      `The rollout of ${NEW_PINNED} did not complete (failed): deployment "${COMPONENT_ID}" exceeded its progress deadline`,
    );
    expect(result.info).toContain(
      `Rolled back from revision 4 to 3: deployment "${COMPONENT_ID}" exceeded its progress deadline`,
    );
    expect(imageOf()).toBe(OLD_IMAGE);
  });

  it('on prod without a wait: opens an approval ticket for the change and stops; runs with the approved ticket', async () => {
    const prod = { cluster: 'resource:default/k8s-prod' };
    const first = await run('dave', prod);
    const id = first.outputs.approvalTicket as number;
    expect(id).toEqual(expect.any(Number));
    expect(first.error?.message).toContain(
      `Approval ticket #${id} was opened for exactly this change`,
    );
    expect(fx.cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
    fx.backend.approvals.decide(id, 'user:default/bob', 'approve');
    const second = await run('dave', { ...prod, approvalTicket: id });
    expect(second.error).toBeUndefined();
    expect(second.outputs.rollout).toBe('complete');
    expect(imageOf()).toBe(NEW_PINNED);
  });

  describe('on prod, waiting for the decision in the same run', () => {
    const prod = { cluster: 'resource:default/k8s-prod' };
    const waiting = () =>
      createDeployImageAction({
        discovery: {
          getBaseUrl: async (id: string) =>
            `http://127.0.0.1:${
              (fx.backend.server.address() as AddressInfo).port
            }/api/${id}`,
          getExternalBaseUrl: async () => '',
        },
        auth: mockServices.auth(),
        approvals: fx.backend.approvals.service,
        approvalPollMs: 20,
      });
    /** The ticket the run opens, once it is open. */
    async function openedTicket(before: number) {
      for (;;) {
        const ticket = fx.backend.approvals.tickets[before];
        if (ticket) return ticket;
        await new Promise(r => setTimeout(r, 10));
      }
    }

    it('deploys once another person approves the ticket it opened', async () => {
      const before = fx.backend.approvals.tickets.length;
      const running = run('dave', prod, waiting());
      const ticket = await openedTicket(before);
      expect(ticket).toMatchObject({
        requester: 'user:default/dave',
        state: 'pending',
      });
      // nothing changes on the cluster while the run waits
      await new Promise(r => setTimeout(r, 100));
      expect(fx.cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
      fx.backend.approvals.decide(ticket.id, 'user:default/bob', 'approve');
      const result = await running;
      expect(result.error).toBeUndefined();
      expect(result.outputs).toMatchObject({
        approvalTicket: ticket.id,
        rollout: 'complete',
        image: NEW_PINNED,
      });
      expect(result.info).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(
              `Approval ticket #${ticket.id} was opened for exactly this change \\(the pinned digest\\): /tickets/${ticket.id}\\. Waiting up to 60 min for its decision\\.$`,
            ),
          ),
          `Approval ticket #${ticket.id} was approved; deploying.`,
        ]),
      );
      expect(imageOf()).toBe(NEW_PINNED);
      // the approval was used by this run: it cannot deploy twice
      expect(fx.backend.approvals.tickets[before].claimedAt).toBeDefined();
    });

    it('deploys nothing when the ticket is rejected', async () => {
      const before = fx.backend.approvals.tickets.length;
      const running = run('dave', prod, waiting());
      const ticket = await openedTicket(before);
      fx.backend.approvals.decide(ticket.id, 'user:default/bob', 'reject');
      const result = await running;
      expect(result.error?.message).toBe(
        `Approval ticket #${ticket.id} is rejected: nothing was deployed.`,
      );
      expect(fx.cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
      expect(imageOf()).toBe(OLD_IMAGE);
    });

    it('stops at the ticket with approvalWaitMinutes 0', async () => {
      const result = await run(
        'dave',
        { ...prod, approvalWaitMinutes: 0 },
        waiting(),
      );
      const id = result.outputs.approvalTicket as number;
      expect(result.error?.message).toMatch(
        new RegExp(
          `Approval ticket #${id} was opened for exactly this change \\(the pinned digest\\); once it is approved, run the template again with approval ticket ${id}\\.$`,
        ),
      );
    });
  });
});
