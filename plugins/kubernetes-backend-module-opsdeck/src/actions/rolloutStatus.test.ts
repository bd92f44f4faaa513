import {
  COMPONENT_ID,
  NAMESPACE,
  OTHER_COMPONENT_ID,
} from '../testUtils/fixtureObjects';
import request from 'supertest';
import { as } from '../__testUtils__/testBackend';
import {
  ACTIONS_API,
  useActionsFixture,
} from '../__testUtils__/actionsFixture';
import { REGISTRY } from '../__testUtils__/testBackend';

const TOKEN = 'fixture-sa-token-rollout-4c8e';
const NEW_TAG = `${REGISTRY.host}/shop/${COMPONENT_ID}:1.9.0`;

/**
 * `GET /deployments/rollout`: where a deployment's rollout is, read as the
 * person (the Kubernetes tab and the deploy-image step poll it), while the
 * fixture's controller moves the rollout one step per read.
 */
describe('GET /deployments/rollout against the fixture cluster', () => {
  // a low limit, so that the limit's test reads a few times only (the
  // other tests read less than this as dave)
  const fx = useActionsFixture(TOKEN, {
    freshCluster: true,
    rolloutReadsPerMinute: 15,
  });
  const query = (name = COMPONENT_ID, entity = COMPONENT_ID) => ({
    entityRef: `component:default/${entity}`,
    cluster: 'k8s-prod',
    namespace: NAMESPACE,
    name,
  });
  const get = (user: string | undefined, q: object = query()) => {
    const req = request(fx.backend.server)
      .get(`${ACTIONS_API}/deployments/rollout`)
      .query(q);
    return user ? req.set('Authorization', as(user)) : req;
  };

  it('follows a rollout step by step: replicas, the new ReplicaSet, conditions', async () => {
    const before = await get('dave');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      state: 'complete',
      revision: '3',
      replicas: 2,
      updated: 2,
      ready: 2,
      available: 2,
      newReplicaSet: `${COMPONENT_ID}-7c9d5b8f6d`,
    });
    // bob (ops) deploys without watching; dave (the owner, dev) follows it
    const deployed = await fx.post('/deployments/image', 'bob', {
      ...query(),
      container: 'api',
      image: NEW_TAG,
      watchSeconds: 0,
    });
    expect(deployed.body.rollout.state).toBe('unwatched');
    const seen = [];
    let last: any;
    for (let i = 0; i < 5; i++) {
      const res = await get('dave');
      expect(res.status).toBe(200);
      const { state, message, revision, replicas, updated, ready, available } =
        res.body;
      seen.push({
        state,
        message,
        revision,
        replicas,
        updated,
        ready,
        available,
      });
      expect(res.body.newReplicaSet).toMatch(
        new RegExp(`^${COMPONENT_ID}-[0-9a-f]{10}$`),
      );
      expect(res.body.newReplicaSet).not.toBe(`${COMPONENT_ID}-7c9d5b8f6d`);
      last = res.body;
      if (state !== 'progressing') break;
    }
    expect(last.conditions).toContainEqual({
      type: 'Progressing',
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${last.newReplicaSet}" has successfully progressed.`,
    });
    const waiting = `Waiting for deployment "${COMPONENT_ID}" rollout to finish:`;
    expect(seen).toEqual([
      {
        state: 'progressing',
        message: `${waiting} 1 out of 2 new replicas have been updated...`,
        revision: '4',
        replicas: 2,
        updated: 1,
        ready: 2,
        available: 2,
      },
      {
        state: 'progressing',
        message: `${waiting} 1 old replicas are pending termination...`,
        revision: '4',
        replicas: 2,
        updated: 2,
        ready: 2,
        available: 2,
      },
      {
        state: 'progressing',
        message: `${waiting} 1 of 2 updated replicas are available...`,
        revision: '4',
        replicas: 2,
        updated: 2,
        ready: 1,
        available: 1,
      },
      {
        state: 'complete',
        message: `deployment "${COMPONENT_ID}" successfully rolled out`,
        revision: '4',
        replicas: 2,
        updated: 2,
        ready: 2,
        available: 2,
      },
    ]);
    // every read with the vault's token, for dave; the token in no answer
    expect(
      fx.cluster.requests.every(r => r.authorization === `Bearer ${TOKEN}`),
    ).toBe(true);
  });

  it('says when a rollout exceeded its progress deadline', async () => {
    fx.cluster.rolloutMode = 'fail';
    await fx.post('/deployments/image', 'bob', {
      ...query(),
      container: 'api',
      image: NEW_TAG,
      watchSeconds: 0,
    });
    await get('dave');
    const failed = await get('dave');
    expect(failed.body).toMatchObject({
      state: 'failed',
      message: `deployment "${COMPONENT_ID}" exceeded its progress deadline`,
    });
    expect(failed.body.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
      }),
    );
  });

  it('refuses no sign-in, no role, a non-owner, and a workload not of the component, before the cluster', async () => {
    expect((await get(undefined)).status).toBe(401);
    expect((await get('mallory')).status).toBe(403);
    // erin (viewer) reads Kubernetes resources but owns no component
    const erin = await get('erin');
    expect(erin.status).toBe(403);
    expect(fx.cluster.requests).toEqual([]);
    expect(fx.backend.vaultUses).toEqual([]);
    // ops-web's deployment named through dave's component: read, refused
    const other = await get('dave', query(OTHER_COMPONENT_ID));
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe(
      `${NAMESPACE}/${OTHER_COMPONENT_ID} is not a workload of component:default/${COMPONENT_ID}`,
    );
    expect(fx.cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
    expect((await get('dave', { ...query(), name: 'Bad_Name' })).status).toBe(
      400,
    );
    // ops read any component's rollout
    expect(
      (await get('bob', query(OTHER_COMPONENT_ID, OTHER_COMPONENT_ID))).status,
    ).toBe(200);
  });

  it('never shows the cluster token a hostile API server puts in its answer', async () => {
    fx.cluster.hostile = r =>
      r.path.endsWith('/replicasets')
        ? {
            status: 403,
            json: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'Forbidden',
              code: 403,
              message: `token ${r.authorization} may not list replicasets`,
            },
          }
        : undefined;
    const res = await get('dave');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    expect(res.body.error.message).toContain('the cluster answered 403');
  });

  it('limits the rollout reads of a person: 429 with Retry-After before the vault or the cluster is asked; others read on', async () => {
    for (let i = 1; i <= 15; i++) {
      expect([i, (await get('frank')).status]).toEqual([i, 200]);
    }
    const asked = fx.cluster.requests.length;
    const vaultUses = fx.backend.vaultUses.length;
    const refused = await get('frank');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body.error).toMatchObject({
      code: 'kubernetes-rate-limited',
      limit: 15,
      retryAfterSeconds: Number(refused.headers['retry-after']),
    });
    // the refused read asked neither the vault nor the cluster
    expect(fx.cluster.requests).toHaveLength(asked);
    expect(fx.backend.vaultUses).toHaveLength(vaultUses);
    // another person is not limited by frank's reads
    const alice = await get('alice');
    expect(alice.status).toBe(200);
    expect(alice.body.state).toBe('complete');
  });
});
