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
      rolloutPollMs: 1,
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
    timeline: [string, number][];
  }> {
    const logger = mockServices.logger.mock();
    // when each line was logged: how many times the deployment had been read
    const reads = () =>
      fx.cluster.requests.filter(
        r =>
          r.method === 'GET' &&
          r.path ===
            `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${COMPONENT_ID}`,
      ).length;
    const timeline: [string, number][] = [];
    logger.info.mockImplementation((line: unknown) => {
      timeline.push([String(line), reads()]);
    });
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
      () => ({
        outputs,
        info: lines('info'),
        errors: lines('error'),
        timeline,
      }),
      error => ({
        error,
        outputs,
        info: lines('info'),
        errors: lines('error'),
        timeline,
      }),
    );
  }

  const imageOf = () =>
    (fx.cluster.find('Deployment', NAMESPACE, COMPONENT_ID)!.spec as any)
      .template.spec.containers[0].image;

  it('deploys as the person running the template and logs each step of the rollout as it is seen', async () => {
    const result = await run('dave', {});
    expect(result.error).toBeUndefined();
    expect(result.outputs).toEqual({
      image: NEW_PINNED,
      digest: REGISTRY_TAGS[`shop/${COMPONENT_ID}:1.9.0`],
      rollout: 'complete',
    });
    const rs = (
      fx.cluster.objects.find(
        o =>
          o.kind === 'ReplicaSet' &&
          o.metadata.annotations?.['deployment.kubernetes.io/revision'] === '4',
      ) as any
    ).metadata.name;
    const waiting = `Waiting for deployment "${COMPONENT_ID}" rollout to finish:`;
    const of = `new ReplicaSet ${rs} (revision 4)`;
    // each line with the number of reads of the deployment when it was
    // logged (1: the deploy's own; then one per status read, each a step of
    // the fixture's controller): logged as seen, not at the end
    expect(result.timeline.slice(1)).toEqual([
      [`api: ${OLD_IMAGE} → ${NEW_PINNED} (tag 1.9.0)`, 1],
      [
        `${waiting} 1 out of 2 new replicas have been updated... (1/2 updated, 2/2 ready, 2/2 available; ${of})`,
        2,
      ],
      [
        'Condition Available=True MinimumReplicasAvailable: Deployment has minimum availability.',
        2,
      ],
      [
        `Condition Progressing=True ReplicaSetUpdated: ReplicaSet "${rs}" is progressing.`,
        2,
      ],
      [
        `${waiting} 1 old replicas are pending termination... (2/2 updated, 2/2 ready, 2/2 available; ${of})`,
        3,
      ],
      [
        `${waiting} 1 of 2 updated replicas are available... (2/2 updated, 1/2 ready, 1/2 available; ${of})`,
        4,
      ],
      [
        `deployment "${COMPONENT_ID}" successfully rolled out (2/2 updated, 2/2 ready, 2/2 available; ${of})`,
        5,
      ],
      [
        `Condition Progressing=True NewReplicaSetAvailable: ReplicaSet "${rs}" has successfully progressed.`,
        5,
      ],
      [`deployment "${COMPONENT_ID}" successfully rolled out`, 5],
    ]);
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
    expect(result.info).toContain('Rolled back from revision 4 to 3');
    expect(result.info).toContain(
      `Condition Progressing=False ProgressDeadlineExceeded: ReplicaSet "${COMPONENT_ID}-${(
        fx.cluster.objects.find(
          o =>
            o.kind === 'ReplicaSet' &&
            o.metadata.annotations?.['deployment.kubernetes.io/revision'] ===
              '4',
        )?.metadata.name ?? ''
      ).slice(COMPONENT_ID.length + 1)}" has timed out progressing.`,
    );
    expect(result.errors).toContain(
      `Rollback rollout failed: deployment "${COMPONENT_ID}" exceeded its progress deadline`,
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
        rolloutPollMs: 1,
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
