import {
  COMPONENT_ID,
  NAMESPACE,
  OTHER_COMPONENT_ID,
} from '../testUtils/fixtureObjects';
import { useActionsFixture } from '../__testUtils__/actionsFixture';
import { REGISTRY, REGISTRY_TAGS } from '../__testUtils__/testBackend';

const TOKEN = 'fixture-sa-token-deploy-5b9e';
const DEPLOY = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`;
const REVISION = 'deployment.kubernetes.io/revision';
const OLD_IMAGE = `registry.example.com/shop/${COMPONENT_ID}:1.8.2`;
const NEW_TAG = `${REGISTRY.host}/shop/${COMPONENT_ID}:1.9.0`;
const NEW_DIGEST = REGISTRY_TAGS[`shop/${COMPONENT_ID}:1.9.0`];
const NEW_PINNED = `${REGISTRY.host}/shop/${COMPONENT_ID}@${NEW_DIGEST}`;

describe('deploy an image and roll back, against the fixture cluster', () => {
  // one backend; each test gets a fresh cluster on the same port
  const fx = useActionsFixture(TOKEN, { freshCluster: true });
  const { post, writes } = fx;
  const api = `component:default/${COMPONENT_ID}`;
  const target = (clusterName = 'k8s-test') => ({
    entityRef: api,
    cluster: clusterName,
    namespace: NAMESPACE,
    name: COMPONENT_ID,
  });
  const deployed = () =>
    fx.cluster.find('Deployment', NAMESPACE, COMPONENT_ID)!;
  const imageOf = () =>
    (deployed().spec as any).template.spec.containers[0].image;

  it('patches the pinned digest of a tag, watches the rollout to completion, audited with both', async () => {
    const res = await post('/deployments/image', 'dave', {
      ...target(),
      container: 'api',
      image: NEW_TAG,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      container: 'api',
      image: NEW_PINNED,
      tag: '1.9.0',
      digest: NEW_DIGEST,
      registryRef: REGISTRY.ref,
      previousImage: OLD_IMAGE,
      environment: 'staging',
      rollout: {
        state: 'complete',
        revision: '4',
        message: `deployment "${COMPONENT_ID}" successfully rolled out`,
      },
    });
    expect(res.body.rollout.progress.map((p: any) => p.message)).toEqual([
      `Waiting for deployment "${COMPONENT_ID}" rollout to finish: 1 out of 2 new replicas have been updated...`,
      `Waiting for deployment "${COMPONENT_ID}" rollout to finish: 1 old replicas are pending termination...`,
      `Waiting for deployment "${COMPONENT_ID}" rollout to finish: 1 of 2 updated replicas are available...`,
      `deployment "${COMPONENT_ID}" successfully rolled out`,
    ]);
    // the container runs the digest, never the tag
    expect(writes()).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        path: `${DEPLOY}/${COMPONENT_ID}`,
        contentType: 'application/strategic-merge-patch+json',
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: 'api', image: NEW_PINNED }] },
            },
          },
        },
        status: 200,
      }),
    ]);
    expect(imageOf()).toBe(NEW_PINNED);
    expect(deployed().metadata.annotations![REVISION]).toBe('4');
    // resolved as the person, through the registry
    expect(fx.backend.resolutions).toEqual([
      { image: NEW_TAG, actor: 'user:default/dave' },
    ]);
    const event = fx.backend.events.find(
      e => e.eventId === 'kubernetes-deployment-image',
    );
    expect(event).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
      meta: {
        component: api,
        imageRequested: NEW_TAG,
        image: NEW_PINNED,
        tag: '1.9.0',
        digest: NEW_DIGEST,
        previousImage: OLD_IMAGE,
        rollout: 'complete',
        revision: '4',
      },
    });
  });

  it('reports a rollout that exceeds its progress deadline', async () => {
    fx.cluster.rolloutMode = 'fail';
    const res = await post('/deployments/image', 'dave', {
      ...target(),
      container: 'api',
      image: NEW_TAG,
    });
    expect(res.status).toBe(200);
    expect(res.body.rollout).toMatchObject({
      state: 'failed',
      message: `deployment "${COMPONENT_ID}" exceeded its progress deadline`,
    });
    expect(
      fx.backend.events.find(e => e.eventId === 'kubernetes-deployment-image'),
    ).toMatchObject({ meta: { rollout: 'failed', digest: NEW_DIGEST } });
  });

  it('stops watching a stalled rollout at the bound and says so', async () => {
    fx.cluster.rolloutMode = 'stall';
    const res = await post('/deployments/image', 'dave', {
      ...target(),
      container: 'api',
      image: NEW_TAG,
      watchSeconds: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body.rollout.state).toBe('timeout');
    expect(res.body.rollout.message).toMatch(
      /^Stopped watching after 1s: Waiting for deployment spec update to be observed/,
    );
  });

  it('rolls back to the previous ReplicaSet and restores its image', async () => {
    const first = await post('/deployments/image', 'dave', {
      ...target(),
      container: 'api',
      image: NEW_TAG,
    });
    expect(first.body.rollout.state).toBe('complete');
    fx.cluster.requests.length = 0;
    const res = await post('/deployments/rollback', 'dave', target());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      fromRevision: '4',
      toRevision: '3',
      images: { api: OLD_IMAGE },
      previousImages: { api: NEW_PINNED },
      rollout: { state: 'complete', revision: '5' },
    });
    expect(imageOf()).toBe(OLD_IMAGE);
    const patch = writes();
    expect(patch).toHaveLength(1);
    expect(patch[0]).toMatchObject({
      contentType: 'application/json-patch+json',
      body: [{ op: 'replace', path: '/spec/template' }],
    });
    // the template of revision 3 without its pod-template-hash label
    expect(
      (patch[0].body as any)[0].value.metadata.labels['pod-template-hash'],
    ).toBeUndefined();
    // the ReplicaSet of revision 3 took revision 5, as the controller does
    const old = fx.cluster.objects.find(
      o =>
        o.kind === 'ReplicaSet' &&
        (o.spec as any).template.spec.containers[0].image === OLD_IMAGE,
    )!;
    expect(old.metadata.annotations![REVISION]).toBe('5');
    expect(
      fx.backend.events.find(
        e => e.eventId === 'kubernetes-deployment-rollback',
      ),
    ).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
      meta: { fromRevision: '4', toRevision: '3', rollout: 'complete' },
    });
  });

  it('never shows the cluster token a hostile API server echoes in its refusal (answer, audit)', async () => {
    // an auth proxy in front of the API server that quotes the header it got
    fx.cluster.hostile = r =>
      r.method === 'PATCH'
        ? {
            status: 403,
            json: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'Forbidden',
              code: 403,
              message: `token ${r.authorization} may not patch deployments`,
            },
          }
        : undefined;
    const res = await post('/deployments/image', 'dave', {
      ...target(),
      container: 'api',
      image: NEW_TAG,
    });
    expect(res.status).toBe(500);
    expect(res.body.error.message).toContain('may not patch deployments');
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    const event = fx.backend.events.find(
      e => e.eventId === 'kubernetes-deployment-image',
    );
    expect(event?.status).toBe('failed');
    expect(JSON.stringify(event)).not.toContain(TOKEN);
  });

  it('refuses a rollback with no earlier revision (409), changing nothing', async () => {
    const res = await post('/deployments/rollback', 'dave', target());
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `${NAMESPACE}/${COMPONENT_ID} has no revision before 3 to roll back to: its revisions are 3 (3 is the current one)`,
    );
    expect(writes()).toEqual([]);
  });

  it('refuses viewers, no role and no sign-in before the registry or the cluster', async () => {
    for (const [user, status] of [
      ['erin', 403],
      ['mallory', 403],
      [undefined, 401],
    ] as const) {
      for (const path of ['/deployments/image', '/deployments/rollback']) {
        const res = await post(path, user, {
          ...target(),
          container: 'api',
          image: NEW_TAG,
        });
        expect([user, path, res.status]).toEqual([user, path, status]);
      }
    }
    expect(fx.cluster.requests).toEqual([]);
    expect(fx.backend.vaultUses).toEqual([]);
    expect(fx.backend.resolutions).toEqual([]);
    expect(
      fx.backend.events
        .filter(e => e.eventId === 'kubernetes-deployment-image')
        .map(e => [e.status, e.actor.actorId]),
    ).toEqual([
      ['failed', 'user:default/erin'],
      ['failed', 'user:default/mallory'],
    ]);
  });

  it('refuses images it cannot parse or from registries opsdeck does not know, before the cluster', async () => {
    const bad: Array<[string | number, number]> = [
      [`${REGISTRY.host}/shop/${COMPONENT_ID}`, 400], // no tag, no digest
      [`${REGISTRY.host}/shop/${COMPONENT_ID}:1.9.0 --privileged`, 400],
      [`${REGISTRY.host}/shop/${COMPONENT_ID}@sha256:1234`, 400],
      [42, 400],
      [`evil.example.net/shop/${COMPONENT_ID}:1.9.0`, 400],
      [`docker.io/library/${COMPONENT_ID}:1.9.0`, 400],
      [`${REGISTRY.host}/shop/${COMPONENT_ID}:9.9.9`, 404],
    ];
    for (const [image, status] of bad) {
      const res = await post('/deployments/image', 'dave', {
        ...target(),
        container: 'api',
        image,
      });
      expect([image, res.status]).toEqual([image, status]);
    }
    for (const container of ['API', '', 'api;rm', undefined]) {
      const res = await post('/deployments/image', 'dave', {
        ...target(),
        container,
        image: NEW_TAG,
      });
      expect([container, res.status]).toEqual([container, 400]);
    }
    const missing = await post('/deployments/image', 'dave', {
      ...target(),
      container: 'sidecar',
      image: NEW_TAG,
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe(
      `${NAMESPACE}/${COMPONENT_ID} has no container sidecar (it has api)`,
    );
    for (const watchSeconds of [-1, 241, 1.5, '10']) {
      const res = await post('/deployments/image', 'dave', {
        ...target(),
        container: 'api',
        image: NEW_TAG,
        watchSeconds,
      });
      expect([watchSeconds, res.status]).toEqual([watchSeconds, 400]);
    }
    expect(writes()).toEqual([]);
    expect(imageOf()).toBe(OLD_IMAGE);
  });

  it("refuses another component's deployment and components the person does not own", async () => {
    const other = await post('/deployments/image', 'dave', {
      ...target(),
      name: OTHER_COMPONENT_ID,
      container: 'api',
      image: NEW_TAG,
    });
    expect(other.status).toBe(403);
    const frank = await post('/deployments/rollback', 'frank', {
      ...target(),
      entityRef: `component:default/${OTHER_COMPONENT_ID}`,
      name: OTHER_COMPONENT_ID,
    });
    expect(frank.status).toBe(403);
    expect(writes()).toEqual([]);
  });

  it('needs an approved ticket on a prod cluster, for exactly the pinned digest', async () => {
    const refused = await post('/deployments/image', 'dave', {
      ...target('k8s-prod'),
      container: 'api',
      image: NEW_TAG,
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      approvalRequired: true,
      error: {
        message:
          'k8s-prod is a prod cluster: changing its workloads needs opsdeck.kubernetes.prod.change',
      },
    });
    const rollback = await post(
      '/deployments/rollback',
      'dave',
      target('k8s-prod'),
    );
    expect(rollback.status).toBe(403);
    expect(rollback.body.approvalRequired).toBe(true);
    expect(fx.cluster.requests).toEqual([]);
    expect(fx.backend.vaultUses).toEqual([]);

    const asked = await post('/deployments/image', 'dave', {
      ...target('k8s-prod'),
      container: 'api',
      image: NEW_TAG,
      requestApproval: true,
    });
    expect(asked.status).toBe(202);
    const id = asked.body.approvalTicket.ticketId as number;
    expect(fx.backend.approvals.tickets.find(t => t.id === id)).toMatchObject({
      kind: 'kubernetes-action',
      target: api,
      change: {
        action: 'kubernetes-deployment-image',
        cluster: 'k8s-prod',
        container: 'api',
        pinned: NEW_PINNED,
        digest: NEW_DIGEST,
      },
    });
    fx.backend.approvals.decide(id, 'user:default/bob', 'approve');
    // another image is another change
    const other = await post('/deployments/image', 'dave', {
      ...target('k8s-prod'),
      container: 'api',
      image: `${REGISTRY.host}/shop/${COMPONENT_ID}:1.8.2`,
      approvalTicket: id,
    });
    expect(other.status).toBe(403);
    expect(other.body.error.name).toBe('ApprovalMismatchError');
    expect(writes()).toEqual([]);
    // the same tag, or its digest, is the approved change
    const ran = await post('/deployments/image', 'dave', {
      ...target('k8s-prod'),
      container: 'api',
      image: NEW_TAG,
      approvalTicket: id,
    });
    expect(ran.status).toBe(200);
    expect(ran.body).toMatchObject({
      image: NEW_PINNED,
      environment: 'prod',
      approval: { ticketId: id, approvedBy: ['user:default/bob'] },
    });
    expect(imageOf()).toBe(NEW_PINNED);
    expect(
      fx.backend.events.find(
        e =>
          e.eventId === 'kubernetes-deployment-image' &&
          (e.meta as any)?.approvalTicket === id,
      ),
    ).toMatchObject({
      status: 'succeeded',
      actor: { actorId: 'user:default/dave' },
      meta: {
        approvedBy: ['user:default/bob'],
        digest: NEW_DIGEST,
        image: NEW_PINNED,
      },
    });
    // ops (prod.change) roll back without a ticket
    const bob = await post('/deployments/rollback', 'bob', target('k8s-prod'));
    expect(bob.status).toBe(200);
    expect(imageOf()).toBe(OLD_IMAGE);
  });

  it('a prod rollback approval names the revision it rolls back to ("the previous one" moves before the ticket is used)', async () => {
    // bob (ops) deploys 1.9.0 to prod: revision 4, revision 3 is 1.8.2
    const deploy = (image: string) =>
      post('/deployments/image', 'bob', {
        ...target('k8s-prod'),
        container: 'api',
        image,
      });
    expect((await deploy(NEW_TAG)).status).toBe(200);
    // dave asks to roll back "to the previous one" (1.8.2 when he asks)
    const floating = await post('/deployments/rollback', 'dave', {
      ...target('k8s-prod'),
      requestApproval: true,
    });
    expect(floating.status).toBe(400);
    expect(floating.body.error.message).toBe(
      'A rollback approved by ticket names toRevision (the revision approvers approve)',
    );
    expect(
      fx.backend.approvals.tickets.filter(
        t => (t.change as any).action === 'kubernetes-deployment-rollback',
      ),
    ).toEqual([]);
    const asked = await post('/deployments/rollback', 'dave', {
      ...target('k8s-prod'),
      toRevision: 3,
      requestApproval: true,
    });
    expect(asked.status).toBe(202);
    const id = asked.body.approvalTicket.ticketId as number;
    expect(fx.backend.approvals.tickets.find(t => t.id === id)).toMatchObject({
      summary: `deployment-rollback ${NAMESPACE}/${COMPONENT_ID} on k8s-prod to revision 3`,
      change: { toRevision: 3 },
    });
    fx.backend.approvals.decide(id, 'user:default/bob', 'approve');
    // meanwhile ops ship 1.8.2 pinned as revision 5: "the previous one"
    // is now 1.9.0 (revision 4), which no approver saw; the ticket still
    // rolls back to revision 3 (1.8.2) and nothing else
    const pinned182 = `${REGISTRY.host}/shop/${COMPONENT_ID}:1.8.2`;
    expect((await deploy(pinned182)).status).toBe(200);
    const ran = await post('/deployments/rollback', 'dave', {
      ...target('k8s-prod'),
      toRevision: 3,
      approvalTicket: id,
    });
    expect(ran.status).toBe(200);
    expect(ran.body).toMatchObject({ fromRevision: '5', toRevision: '3' });
    expect(imageOf()).toBe(OLD_IMAGE);
  });

  it('an approved ticket deploys once when two runs claim it at the same time', async () => {
    const body = { ...target('k8s-prod'), container: 'api', image: NEW_TAG };
    const asked = await post('/deployments/image', 'dave', {
      ...body,
      requestApproval: true,
    });
    const id = asked.body.approvalTicket.ticketId as number;
    fx.backend.approvals.decide(id, 'user:default/alice', 'approve');
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        post('/deployments/image', 'dave', { ...body, approvalTicket: id }),
      ),
    );
    expect(runs.map(r => r.status).sort()).toEqual([200, 409, 409]);
    expect(fx.cluster.requests.filter(r => r.method === 'PATCH')).toHaveLength(
      1,
    );
  });
});
