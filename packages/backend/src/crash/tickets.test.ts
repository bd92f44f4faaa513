/*
 * Crash-point tests of tickets: a real opsdeck backend process (tickets,
 * scaffolder, bastion) killed at named points and started again on the same
 * data, on SQLite and on PostgreSQL. See docs/architecture.md.
 *
 * One chain per database (each restart is the next point's armed start):
 *   1. an approved request dies between its first grant and its record
 *      (`tickets.server-access.grant#1`); after the restart it is fulfilled
 *      exactly once;
 *   2. on that restarted backend a second request dies right after its
 *      ticket is stored (`tickets.approval.submitted`); after the next
 *      restart it is still awaiting approval, is approved and fulfilled.
 */
import { CrashBackend, crashDatabases, waitFor } from './CrashBackend';
import {
  hostEntity,
  startTask,
  ticketByReason,
  ticketInState,
} from './fixtures';

jest.setTimeout(600_000);

describe.each(crashDatabases())('tickets crash points on %s', database => {
  let backend: CrashBackend;

  beforeAll(async () => {
    backend = await CrashBackend.create({
      database,
      plugins: ['tickets', 'bastion'],
      entities: [hostEntity('crash-01', 22), hostEntity('crash-02', 22)],
      catalogFiles: [
        { target: 'templates/all.yaml', allow: ['Template', 'Location'] },
      ],
      config: { opsdeck: { tickets: { pollSeconds: 1 } } },
    });
  });

  afterAll(async () => {
    await backend?.dispose();
  });

  it('fulfils exactly once when the backend dies between the first grant and its record', async () => {
    const reason = `crash grant ${Date.now().toString(36)}`;
    // the first of the two grants is made at the bastion, then the process dies
    await backend.start({ crashPoint: 'tickets.server-access.grant#1' });
    await startTask(backend, 'frank', 'request-server-access', {
      hosts: ['resource:default/crash-01', 'resource:default/crash-02'],
      hours: 2,
      reason,
    });
    const ticket = await ticketByReason(backend, 'frank', reason);
    await ticketInState(backend, 'frank', ticket.id, 'awaiting_approval');
    const decided = await backend.api(
      'bob',
      'POST',
      `tickets/tickets/${ticket.id}/decision`,
      { decision: 'approve', comment: 'grant both' },
    );
    expect(decided.status).toBe(200);
    await backend.waitForCrash('tickets.server-access.grant#1');

    // the restart is the next test's armed start: the recovered task resumes
    // at its grant step (its approval step, done, does not run again: were
    // it to, the backend would die here, before the request is done)
    await backend.start({ crashPoint: 'tickets.approval.submitted' });
    const done = await ticketInState(backend, 'frank', ticket.id, 'done');
    // the replayed step found the grant the first attempt made: two grants, no orphan
    const grants = await waitFor('the grants', async () => {
      const res = await backend.api('alice', 'GET', 'bastion/grants');
      return res.body.items.filter(
        (g: any) => g.reason === `ticket ${ticket.id}`,
      );
    });
    expect(grants.map((g: any) => g.selector.host).sort()).toEqual([
      'crash-01',
      'crash-02',
    ]);
    expect([...done.result.bastion].sort()).toEqual(
      grants.map((g: any) => g.id).sort(),
    );
  });

  it('keeps a request awaiting approval across a crash; it is approved and fulfilled after the restart', async () => {
    const reason = `crash ${Date.now().toString(36)}`;
    // the previous test's restarted backend, armed at this point
    expect(backend.running).toBe(true);
    await startTask(backend, 'frank', 'request-server-access', {
      hosts: ['resource:default/crash-01', 'resource:default/crash-02'],
      hours: 2,
      reason,
    });
    await backend.waitForCrash('tickets.approval.submitted');

    await backend.start();
    const ticket = await ticketByReason(backend, 'frank', reason);
    expect(ticket.state).toBe('awaiting_approval');
    const decided = await backend.api(
      'bob',
      'POST',
      `tickets/tickets/${ticket.id}/decision`,
      { decision: 'approve', comment: 'after the crash' },
    );
    expect(decided.status).toBe(200);
    // the recovered task takes the step up again and fulfils the request
    const done = await ticketInState(backend, 'frank', ticket.id, 'done');
    expect(done.result.grants).toHaveLength(2);
    const grants = await waitFor('the grants', async () => {
      const res = await backend.api('alice', 'GET', 'bastion/grants');
      return res.body.items.filter(
        (g: any) => g.reason === `ticket ${ticket.id}`,
      );
    });
    expect(grants.map((g: any) => g.selector.host).sort()).toEqual([
      'crash-01',
      'crash-02',
    ]);
  });
});
