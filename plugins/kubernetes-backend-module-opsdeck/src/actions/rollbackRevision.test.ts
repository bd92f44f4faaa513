import { COMPONENT_ID, NAMESPACE } from '../testUtils/fixtureObjects';
import { useActionsFixture } from '../__testUtils__/actionsFixture';
import { REGISTRY } from '../__testUtils__/testBackend';

const TOKEN = 'fixture-sa-token-revision-7d21';
const NEW_TAG = `${REGISTRY.host}/shop/${COMPONENT_ID}:1.9.0`;
const RS_LIST = `/apis/apps/v1/namespaces/${NAMESPACE}/replicasets`;

/**
 * A rollback to a revision the deployment does not have is refused when it
 * is asked for, naming the revisions there are (read with the official
 * client from the fixture's ReplicaSets): no approval ticket is opened for
 * it, and an approved one is not spent on it.
 */
describe('a rollback to a revision that does not exist', () => {
  const fx = useActionsFixture(TOKEN, { freshCluster: true });
  const { post, writes } = fx;
  const target = (cluster = 'k8s-prod') => ({
    entityRef: `component:default/${COMPONENT_ID}`,
    cluster,
    namespace: NAMESPACE,
    name: COMPONENT_ID,
  });
  const rollbackTickets = () =>
    fx.backend.approvals.tickets.filter(
      t => (t.change as any).action === 'kubernetes-deployment-rollback',
    );

  beforeEach(async () => {
    // revision 3 runs 1.8.2; bob (ops, prod.change) ships 1.9.0 as revision 4
    const deployed = await post('/deployments/image', 'bob', {
      ...target(),
      container: 'api',
      image: NEW_TAG,
    });
    if (deployed.body.rollout?.revision !== '4') {
      throw new Error(`the deploy before the test: ${deployed.status}`);
    }
    fx.cluster.requests.length = 0;
  });

  it('opens no approval ticket: 409 naming the revisions there are', async () => {
    const asked = await post('/deployments/rollback', 'dave', {
      ...target(),
      toRevision: 2,
      requestApproval: true,
    });
    expect(asked.status).toBe(409);
    expect(asked.body.error.message).toBe(
      `${NAMESPACE}/${COMPONENT_ID} has no revision 2 to roll back to: its revisions are 3, 4 (4 is the current one)`,
    );
    expect(rollbackTickets()).toEqual([]);
    expect(writes()).toEqual([]);
    // the ReplicaSets were read as the list call of the official client
    expect(fx.cluster.requests).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: RS_LIST,
        query: { labelSelector: `app=${COMPONENT_ID}` },
        authorization: `Bearer ${TOKEN}`,
      }),
    );
    expect(
      fx.backend.events.find(
        e => e.eventId === 'kubernetes-deployment-rollback',
      ),
    ).toMatchObject({
      status: 'failed',
      actor: { actorId: 'user:default/dave' },
    });
  });

  it('refuses the current revision the same way', async () => {
    const asked = await post('/deployments/rollback', 'dave', {
      ...target(),
      toRevision: 4,
      requestApproval: true,
    });
    expect(asked.status).toBe(409);
    expect(asked.body.error.message).toMatch(/has no revision 4 to roll back/);
    expect(rollbackTickets()).toEqual([]);
  });

  it('does not spend an approved ticket whose revision is gone by the time it is used', async () => {
    const asked = await post('/deployments/rollback', 'dave', {
      ...target(),
      toRevision: 3,
      requestApproval: true,
    });
    expect(asked.status).toBe(202);
    const id = asked.body.approvalTicket.ticketId as number;
    fx.backend.approvals.decide(id, 'user:default/bob', 'approve');
    // meanwhile ops roll back themselves: revision 3's ReplicaSet takes 5
    const bob = await post('/deployments/rollback', 'bob', {
      ...target(),
      toRevision: 3,
    });
    expect(bob.body).toMatchObject({ fromRevision: '4', toRevision: '3' });
    fx.cluster.requests.length = 0;
    const ran = await post('/deployments/rollback', 'dave', {
      ...target(),
      toRevision: 3,
      approvalTicket: id,
    });
    expect(ran.status).toBe(409);
    expect(ran.body.error.message).toBe(
      `${NAMESPACE}/${COMPONENT_ID} has no revision 3 to roll back to: its revisions are 4, 5 (5 is the current one)`,
    );
    expect(writes()).toEqual([]);
    // the ticket is still unclaimed
    expect(
      fx.backend.approvals.tickets.find(t => t.id === id)?.claimedAt,
    ).toBeUndefined();
  });

  it('on a staging cluster, refuses it before any write too', async () => {
    const res = await post('/deployments/rollback', 'dave', {
      ...target('k8s-test'),
      toRevision: 9,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `${NAMESPACE}/${COMPONENT_ID} has no revision 9 to roll back to: its revisions are 3, 4 (4 is the current one)`,
    );
    expect(writes()).toEqual([]);
  });
});
