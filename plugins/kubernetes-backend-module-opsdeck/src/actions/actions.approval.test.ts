import { COMPONENT_ID, NAMESPACE } from '../testUtils/fixtureObjects';
import { useActionsFixture } from '../__testUtils__/actionsFixture';

const TOKEN = 'fixture-sa-token-approvals-4c1e';

describe('prod workload actions approved through a ticket', () => {
  const fx = useActionsFixture(TOKEN, {
    clusters: [{ name: 'k8s-prod', environment: 'prod' }],
  });
  const { post, writes } = fx;
  const api = `component:default/${COMPONENT_ID}`;
  const prodDeployment = {
    entityRef: api,
    cluster: 'k8s-prod',
    namespace: NAMESPACE,
    name: COMPONENT_ID,
  };
  /**
   * A decision on the Tickets page (tickets-node's test kit: the requester
   * may not decide; claims are decided by the real claim rules).
   */
  const decide = (user: string, id: number, decision: 'approve' | 'reject') =>
    fx.backend.approvals.decide(id, `user:default/${user}`, decision);
  /** dave (dev, owns the component, no prod.change) asks for a ticket. */
  const ask = async (path: string, body: object) => {
    const res = await post(path, 'dave', { ...body, requestApproval: true });
    expect(res.status).toBe(202);
    return res.body.approvalTicket.ticketId as number;
  };

  it('restart: 403 approvalRequired, a ticket for ops, approved by another, run once by the requester', async () => {
    const refused = await post('/deployments/restart', 'dave', prodDeployment);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      approvalRequired: true,
      error: {
        message:
          'k8s-prod is a prod cluster: changing its workloads needs opsdeck.kubernetes.prod.change',
      },
    });
    const id = await ask('/deployments/restart', prodDeployment);
    expect(fx.backend.approvals.tickets.find(t => t.id === id)).toMatchObject({
      requester: 'user:default/dave',
      kind: 'kubernetes-action',
      target: api,
      change: {
        action: 'kubernetes-deployment-restart',
        cluster: 'k8s-prod',
        name: COMPONENT_ID,
      },
    });
    // pending: refused, nothing written
    const pending = await post('/deployments/restart', 'dave', {
      ...prodDeployment,
      approvalTicket: id,
    });
    expect(pending.status).toBe(403);
    expect(pending.body.error.name).toBe('ApprovalNotApprovedError');
    expect(writes()).toEqual([]);

    decide('bob', id, 'approve');
    // frank (dev, same owner group) cannot use dave's ticket
    const frank = await post('/deployments/restart', 'frank', {
      ...prodDeployment,
      approvalTicket: id,
    });
    expect(frank.status).toBe(403);
    expect(frank.body.error.name).toBe('ApprovalMismatchError');
    // a restart approval is not a pod deletion approval
    const other = await post('/pods/delete', 'dave', {
      ...prodDeployment,
      approvalTicket: id,
    });
    expect(other.status).toBe(403);
    expect(other.body.error.name).toBe('ApprovalMismatchError');
    expect(writes()).toEqual([]);

    const ran = await post('/deployments/restart', 'dave', {
      ...prodDeployment,
      approvalTicket: id,
    });
    expect(ran.status).toBe(200);
    expect(ran.body).toMatchObject({
      environment: 'prod',
      approval: { ticketId: id, approvedBy: ['user:default/bob'] },
    });
    expect(writes()).toHaveLength(1);
    const again = await post('/deployments/restart', 'dave', {
      ...prodDeployment,
      approvalTicket: id,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.name).toBe('ApprovalAlreadyUsedError');
    expect(writes()).toHaveLength(1);
    const audit = fx.backend.events.find(
      e =>
        e.eventId === 'kubernetes-deployment-restart' &&
        e.status === 'succeeded' &&
        (e.meta as any)?.approvalTicket === id,
    );
    expect(audit).toMatchObject({
      actor: { actorId: 'user:default/dave' },
      meta: {
        requester: 'user:default/dave',
        approvedBy: ['user:default/bob'],
      },
    });
  });

  it('scale: another replica count than approved is refused; the requester cannot approve it', async () => {
    const id = await ask('/deployments/scale', {
      ...prodDeployment,
      replicas: 3,
    });
    // it is dave's own request: he cannot approve it
    expect(() => decide('dave', id, 'approve')).toThrow(/requester/);
    decide('alice', id, 'approve');
    const five = await post('/deployments/scale', 'dave', {
      ...prodDeployment,
      replicas: 5,
      approvalTicket: id,
    });
    expect(five.status).toBe(403);
    expect(five.body.error.name).toBe('ApprovalMismatchError');
    expect(writes()).toEqual([]);
    const three = await post('/deployments/scale', 'dave', {
      ...prodDeployment,
      replicas: 3,
      approvalTicket: id,
    });
    expect(three.status).toBe(200);
  });

  it('a rejected ticket runs nothing; a malformed approval field is refused', async () => {
    const id = await ask('/pods/delete', prodDeployment);
    decide('bob', id, 'reject');
    const rejected = await post('/pods/delete', 'dave', {
      ...prodDeployment,
      approvalTicket: id,
    });
    expect(rejected.status).toBe(403);
    expect(rejected.body.error.name).toBe('ApprovalNotApprovedError');
    const bad = await post('/pods/delete', 'dave', {
      ...prodDeployment,
      approvalTicket: '1 OR 1=1',
    });
    expect(bad.status).toBe(400);
    expect(writes()).toEqual([]);
  });
});
