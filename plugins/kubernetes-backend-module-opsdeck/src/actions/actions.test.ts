import {
  COMPONENT_ID,
  NAMESPACE,
  OTHER_COMPONENT_ID,
} from '../testUtils/fixtureObjects';
import { useActionsFixture } from '../__testUtils__/actionsFixture';

const TOKEN = 'fixture-sa-token-actions-77d2';
const DEPLOY = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`;

describe('workload actions against the fixture cluster', () => {
  const fx = useActionsFixture(TOKEN);
  const { post } = fx;
  const api = `component:default/${COMPONENT_ID}`;
  const web = `component:default/${OTHER_COMPONENT_ID}`;
  const writes = () => fx.writes().map(r => [r.method, r.path]);
  const deployment = (
    entityRef: string,
    name: string,
    clusterName = 'k8s-test',
  ) => ({
    entityRef,
    cluster: clusterName,
    namespace: NAMESPACE,
    name,
  });

  it("restarts an owned component's deployment the way kubectl rollout restart does, audited", async () => {
    const res = await post(
      '/deployments/restart',
      'dave',
      deployment(api, COMPONENT_ID),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      restartedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      environment: 'staging',
    });
    const patch = fx.cluster.requests.find(r => r.method === 'PATCH')!;
    expect(patch).toMatchObject({
      path: `${DEPLOY}/${COMPONENT_ID}`,
      authorization: `Bearer ${TOKEN}`,
      contentType: 'application/strategic-merge-patch+json',
      body: {
        spec: {
          template: {
            metadata: {
              annotations: {
                'kubectl.kubernetes.io/restartedAt': res.body.restartedAt,
              },
            },
          },
        },
      },
      status: 200,
    });
    const template = (
      fx.cluster.find('Deployment', NAMESPACE, COMPONENT_ID)!.spec as any
    ).template;
    expect(
      template.metadata.annotations['kubectl.kubernetes.io/restartedAt'],
    ).toBe(res.body.restartedAt);
    expect(
      fx.backend.vaultUses.map(u => [u.name, u.use.use, u.use.actor]),
    ).toEqual([['k8s-test-token', 'kubernetes-token', 'user:default/dave']]);
    const event = fx.backend.events.find(
      e => e.eventId === 'kubernetes-deployment-restart',
    );
    expect(event).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
      meta: {
        component: api,
        target: `kubernetes:k8s-test/${NAMESPACE}/${COMPONENT_ID}`,
      },
    });
  });

  it('scales a deployment through its scale subresource', async () => {
    const res = await post('/deployments/scale', 'dave', {
      ...deployment(api, COMPONENT_ID),
      replicas: 3,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      replicas: 3,
      previous: 2,
      environment: 'staging',
    });
    expect(fx.cluster.requests.find(r => r.method === 'PATCH')).toMatchObject({
      path: `${DEPLOY}/${COMPONENT_ID}/scale`,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 3 } },
      status: 200,
    });
    expect(
      (fx.cluster.find('Deployment', NAMESPACE, COMPONENT_ID)!.spec as any)
        .replicas,
    ).toBe(3);
  });

  it("deletes one of the component's pods", async () => {
    const pod = fx.cluster.pods()[1].metadata.name;
    const res = await post('/pods/delete', 'dave', deployment(api, pod));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: pod, environment: 'staging' });
    expect(writes()).toEqual([
      ['DELETE', `/api/v1/namespaces/${NAMESPACE}/pods/${pod}`],
    ]);
    expect(fx.cluster.find('Pod', NAMESPACE, pod)).toBeUndefined();
    expect(
      fx.backend.events.find(e => e.eventId === 'kubernetes-pod-delete'),
    ).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
    });
  });

  it("refuses a component the person's groups do not own; ops may act on any", async () => {
    // frank (dev) sees storefront-web in the catalog but does not own it.
    const frank = await post(
      '/deployments/restart',
      'frank',
      deployment(web, OTHER_COMPONENT_ID),
    );
    expect(frank.status).toBe(403);
    expect(frank.body.error.message).toBe(
      `${web} is owned by group:default/ops, not by one of your groups`,
    );
    // dave cannot even see it.
    const dave = await post(
      '/deployments/restart',
      'dave',
      deployment(web, OTHER_COMPONENT_ID),
    );
    expect(dave.status).toBe(404);
    expect(fx.cluster.requests).toEqual([]);
    expect(fx.backend.vaultUses).toEqual([]);
    expect(
      fx.backend.events
        .filter(e => e.eventId === 'kubernetes-deployment-restart')
        .map(e => [e.status, e.actor.actorId]),
    ).toEqual([
      ['failed', 'user:default/frank'],
      ['failed', 'user:default/dave'],
    ]);
    const bob = await post(
      '/deployments/restart',
      'bob',
      deployment(web, OTHER_COMPONENT_ID),
    );
    expect(bob.status).toBe(200);
  });

  it("refuses a workload that is not the named component's, before any change", async () => {
    // dave owns payments-api but names storefront-web's deployment.
    const res = await post('/deployments/scale', 'dave', {
      ...deployment(api, OTHER_COMPONENT_ID),
      replicas: 0,
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      `${NAMESPACE}/${OTHER_COMPONENT_ID} is not a workload of ${api}`,
    );
    const other = await post('/deployments/restart', 'dave', {
      ...deployment(api, COMPONENT_ID),
      namespace: 'kube-system',
    });
    expect(other.status).toBe(403);
    expect(writes()).toEqual([]);
  });

  it('needs opsdeck.kubernetes.prod.change on a prod cluster', async () => {
    const dave = await post(
      '/deployments/restart',
      'dave',
      deployment(api, COMPONENT_ID, 'k8s-prod'),
    );
    expect(dave.status).toBe(403);
    expect(dave.body.error.message).toBe(
      'k8s-prod is a prod cluster: changing its workloads needs opsdeck.kubernetes.prod.change',
    );
    expect(fx.cluster.requests).toEqual([]);
    expect(fx.backend.vaultUses).toEqual([]);
    const bob = await post(
      '/deployments/restart',
      'bob',
      deployment(api, COMPONENT_ID, 'k8s-prod'),
    );
    expect(bob.status).toBe(200);
    expect(bob.body.environment).toBe('prod');
    expect(fx.backend.vaultUses.map(u => u.use.for)).toEqual([
      {
        ref: 'resource:default/k8s-prod',
        owner: 'group:default/ops',
        environment: 'prod',
      },
    ]);
  });

  it('refuses callers without the permission or a sign-in before anything else', async () => {
    for (const [user, status] of [
      ['erin', 403],
      ['mallory', 403],
      [undefined, 401],
    ] as const) {
      for (const path of [
        '/deployments/restart',
        '/deployments/scale',
        '/pods/delete',
      ]) {
        const res = await post(path, user, {
          ...deployment(api, COMPONENT_ID),
          replicas: 1,
        });
        expect([user, path, res.status]).toEqual([user, path, status]);
      }
    }
    expect(fx.cluster.requests).toEqual([]);
    expect(fx.backend.vaultUses).toEqual([]);
    const denied = fx.backend.events.filter(
      e => e.eventId === 'kubernetes-pod-delete',
    );
    expect(denied.map(e => [e.status, e.actor.actorId])).toEqual([
      ['failed', 'user:default/erin'],
      ['failed', 'user:default/mallory'],
    ]);
  });

  it('refuses what does not parse before asking the catalog or the cluster', async () => {
    const bad: object[] = [
      { ...deployment(api, COMPONENT_ID), replicas: -1 },
      { ...deployment(api, COMPONENT_ID), replicas: 1000 },
      { ...deployment(api, COMPONENT_ID), replicas: '3' },
      { ...deployment(api, COMPONENT_ID), replicas: 1.5 },
      {
        ...deployment(api, COMPONENT_ID),
        namespace: '../kube-system',
        replicas: 1,
      },
      { ...deployment(api, 'Payments_API'), replicas: 1 },
      { ...deployment('resource:default/k8s-test', COMPONENT_ID), replicas: 1 },
      { ...deployment(api, COMPONENT_ID), cluster: 'k8s test', replicas: 1 },
    ];
    for (const body of bad) {
      const res = await post('/deployments/scale', 'bob', body);
      expect([body, res.status]).toEqual([body, 400]);
    }
    const unknown = await post(
      '/deployments/restart',
      'bob',
      deployment(api, COMPONENT_ID, 'k8s-gone'),
    );
    expect(unknown.status).toBe(404);
    const gone = await post(
      '/pods/delete',
      'bob',
      deployment(api, 'payments-api-gone'),
    );
    expect(gone.status).toBe(404);
    expect(writes()).toEqual([]);
  });
});
