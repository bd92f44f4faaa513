/*
 * Crash-point tests of tickets: a real opsdeck backend process (tickets,
 * scaffolder, bastion) killed at named points and started again on the same
 * data, on SQLite and on PostgreSQL. See docs/architecture.md.
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

  it('keeps a request awaiting approval across a crash; it is approved and fulfilled after the restart', async () => {
    const reason = `crash ${Date.now().toString(36)}`;
    await backend.start({ crashPoint: 'tickets.approval.submitted' });
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
