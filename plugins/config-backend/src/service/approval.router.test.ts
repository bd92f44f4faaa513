import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChangeApprovalsMock } from '@opsdeck/plugin-tickets-node/testUtils';
import request from 'supertest';
import { hostEntity, startConfigBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
// bob and frank may push, not to prod; alice is an admin (config.push.prod)
const bob = mockCredentials.user.header('user:default/bob');
const frank = mockCredentials.user.header('user:default/frank');
const alice = mockCredentials.user.header('user:default/alice');
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

let sshd: SshdHosts;
let work: string;
beforeAll(async () => {
  sshd = await startSshdHosts(1);
  work = mkdtempSync(join(tmpdir(), 'opsdeck-config-approval-'));
  chmodSync(work, 0o777);
});
afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function start(
  passwords?: Record<string, { password: string; members: string[] }>,
) {
  const knex = await databases.init('SQLITE_3');
  // change approvals in memory, claimed by the real claim rules (the tickets
  // plugin's atomic claim and Tickets page are tested in tickets-backend)
  const approvals = createChangeApprovalsMock();
  const backend = await startConfigBackend({
    knex,
    privateKey: sshd.privateKeyText,
    entities: [
      hostEntity('cfg-prod', sshd.hosts[0].port, { environment: 'prod' }),
    ],
    deny: {
      'user:default/bob': ['opsdeck.config.push.prod'],
      'user:default/frank': ['opsdeck.config.push.prod'],
    },
    approvals,
    passwords,
  });
  const { server } = backend;
  const target = join(work, `prod-${Math.random().toString(36).slice(2)}.json`);
  const set = (
    await request(server)
      .post('/api/config/sets')
      .set('Authorization', alice)
      .send({
        name: `prod-app-${Math.random().toString(36).slice(2, 8)}`,
        kind: 'json',
        owner: 'group:default/ops',
        selector: { names: ['cfg-prod'] },
        targetPath: target,
      })
      .expect(201)
  ).body;
  for (const template of ['{"v": 1}\n', '{"v": 2}\n']) {
    await request(server)
      .post(`/api/config/sets/${set.id}/versions`)
      .set('Authorization', bob)
      .send({ template, message: template })
      .expect(201);
  }
  const push = (who: string, body: object) =>
    request(server)
      .post(`/api/config/sets/${set.id}/releases`)
      .set('Authorization', who)
      .send(body);
  /** A decision on the Tickets page (the requester may not decide). */
  const decide = (
    who: string,
    ticketId: number,
    decision: 'approve' | 'reject',
  ) => approvals.decide(ticketId, who, decision);
  const ask = async (body: object) => {
    const res = await push(bob, { ...body, requestApproval: true }).expect(202);
    return res.body.approvalTicket.ticketId as number;
  };
  return { ...backend, set, target, push, decide, ask, approvals };
}

describe('config router: prod changes approved through a ticket', () => {
  it('refuses a prod push without config.push.prod with approvalRequired, opens a ticket, runs once with it', async () => {
    const { server, set, target, push, decide, audits, approvals, stop } =
      await start();
    const refused = await push(bob, { version: 1 }).expect(403);
    expect(refused.body).toMatchObject({
      approvalRequired: true,
      error: { message: expect.stringMatching(/cfg-prod.*config\.push\.prod/) },
    });
    const asked = await push(bob, { version: 1, requestApproval: true }).expect(
      202,
    );
    const ticketId = asked.body.approvalTicket.ticketId;
    expect(asked.body.approvalTicket).toMatchObject({
      url: `/tickets/${ticketId}`,
      approvers: ['group:default/admins'],
    });
    // the ticket holds the change as it will run, asked for by bob
    expect(approvals.tickets.find(t => t.id === ticketId)).toMatchObject({
      requester: 'user:default/bob',
      kind: 'config-release',
      target: `config-set:default/${set.name}`,
      change: {
        action: 'push',
        version: 1,
        hosts: ['resource:default/cfg-prod'],
      },
    });
    // pending: refused, and bob cannot approve his own request
    expect(
      (await push(bob, { version: 1, approvalTicket: ticketId }).expect(403))
        .body.error.name,
    ).toBe('ApprovalNotApprovedError');
    expect(() => decide(BOB, ticketId, 'approve')).toThrow(/requester/);
    decide(ALICE, ticketId, 'approve');

    // someone else (who may push, not to prod) cannot use bob's ticket
    expect(
      (await push(frank, { version: 1, approvalTicket: ticketId }).expect(403))
        .body.error.name,
    ).toBe('ApprovalMismatchError');
    // nor bob for another version than approved
    expect(
      (await push(bob, { version: 2, approvalTicket: ticketId }).expect(403))
        .body.error.name,
    ).toBe('ApprovalMismatchError');
    const release = (
      await push(bob, { version: 1, approvalTicket: ticketId }).expect(201)
    ).body;
    let finished: any;
    await eventually(async () => {
      finished = (
        await request(server)
          .get(`/api/config/releases/${release.id}`)
          .set('Authorization', bob)
      ).body;
      return finished.status !== 'running';
    });
    expect(finished).toMatchObject({ status: 'done' });
    expect(readFileSync(target, 'utf8')).toBe('{"v": 1}\n');
    // used: never again
    expect(
      (await push(bob, { version: 1, approvalTicket: ticketId }).expect(409))
        .body.error.name,
    ).toBe('ApprovalAlreadyUsedError');
    // the push is audited with bob as actor and alice as approver
    expect(
      audits.find(
        a => a.eventId === 'config-push' && a.meta?.approvalRequested,
      ),
    ).toMatchObject({ actor: bob, status: 'succeeded' });
    const pushed = audits.find(
      a => a.eventId === 'config-push' && a.meta?.releaseId,
    );
    expect(pushed).toMatchObject({
      actor: bob,
      status: 'succeeded',
      meta: {
        releaseId: release.id,
        approvalTicket: ticketId,
        requester: 'user:default/bob',
        approvedBy: ['user:default/alice'],
      },
    });
    await stop();
  });

  it('a push refused before it does anything (the vault refuses its secret) leaves the approval unused', async () => {
    // the vault's policy refuses bob the secret at first
    const passwords = {
      'app-token': { password: 'p4ss-w0rd', members: [] as string[] },
    };
    const { server, set, target, push, decide, ask, approvals, stop } =
      await start(passwords);
    const withSecret = (
      await request(server)
        .post(`/api/config/sets/${set.id}/versions`)
        .set('Authorization', bob)
        .send({
          template: '{"token": "{{vars.token}}"}\n',
          variables: { defaults: { token: { vault: 'app-token' } } },
          message: 'token from the vault',
        })
        .expect(201)
    ).body.version as number;
    const ticketId = await ask({ version: withSecret });
    decide(ALICE, ticketId, 'approve');
    const refused = await push(bob, {
      version: withSecret,
      approvalTicket: ticketId,
    }).expect(403);
    expect(refused.body.error.message).toMatch(
      /app-token.*cannot be taken out/,
    );
    // nothing ran, and the ticket is still approved and unused
    expect(approvals.tickets.find(t => t.id === ticketId)).toMatchObject({
      state: 'approved',
    });
    // the vault's owner lets bob use it: the same approval runs the push
    passwords['app-token'].members.push(BOB);
    const release = (
      await push(bob, { version: withSecret, approvalTicket: ticketId }).expect(
        201,
      )
    ).body;
    await eventually(
      async () =>
        (
          await request(server)
            .get(`/api/config/releases/${release.id}`)
            .set('Authorization', bob)
        ).body.status === 'done',
    );
    expect(readFileSync(target, 'utf8')).toBe('{"token": "p4ss-w0rd"}\n');
    // and once only
    expect(
      (
        await push(bob, {
          version: withSecret,
          approvalTicket: ticketId,
        }).expect(409)
      ).body.error.name,
    ).toBe('ApprovalAlreadyUsedError');
    await stop();
  });

  it("the approval covers the release's pauses", async () => {
    const { push, decide, ask, stop } = await start();
    const ticketId = await ask({ version: 1, pauseSeconds: 60 });
    decide(ALICE, ticketId, 'approve');
    for (const body of [
      {},
      { pauseSeconds: 0 },
      { pauseSeconds: 61 },
      { pauseSeconds: 60, confirmFirstBatch: true },
    ]) {
      expect(
        (
          await push(bob, {
            version: 1,
            approvalTicket: ticketId,
            ...body,
          }).expect(403)
        ).body.error.name,
      ).toBe('ApprovalMismatchError');
    }
    await push(bob, {
      version: 1,
      pauseSeconds: 60,
      approvalTicket: ticketId,
    }).expect(201);
    await stop();
  });

  it('refuses a rejected ticket, and gates rollback and adoption the same way', async () => {
    const { set, target, push, decide, ask, stop, server } = await start();
    const ticketId = await ask({ version: 2 });
    decide(ALICE, ticketId, 'reject');
    expect(
      (await push(bob, { version: 2, approvalTicket: ticketId }).expect(403))
        .body.error.name,
    ).toBe('ApprovalNotApprovedError');

    const rollback = (body: object) =>
      request(server)
        .post(`/api/config/sets/${set.id}/rollback`)
        .set('Authorization', bob)
        .send(body);
    expect((await rollback({ toVersion: 1 }).expect(403)).body).toMatchObject({
      approvalRequired: true,
    });
    const rb = (
      await rollback({ toVersion: 1, requestApproval: true }).expect(202)
    ).body.approvalTicket.ticketId;
    // a push approval is not a rollback approval
    const pushTicket = await ask({ version: 1 });
    decide(ALICE, pushTicket, 'approve');
    expect(
      (await rollback({ toVersion: 1, approvalTicket: pushTicket }).expect(403))
        .body.error.name,
    ).toBe('ApprovalMismatchError');
    decide(ALICE, rb, 'approve');
    const done = await rollback({ toVersion: 1, approvalTicket: rb }).expect(
      201,
    );
    expect(done.body.version).toMatchObject({ version: 3, rolledBackFrom: 1 });
    // an adoption ticket shows the live file: wait until the rollback wrote it
    await eventually(async () => {
      try {
        return readFileSync(target, 'utf8') === '{"v": 1}\n';
      } catch {
        return false;
      }
    });

    const adopt = (body: object) =>
      request(server)
        .post(`/api/config/sets/${set.id}/adopt`)
        .set('Authorization', bob)
        .send(body);
    expect((await adopt({ host: 'cfg-prod' }).expect(403)).body).toMatchObject({
      approvalRequired: true,
    });
    await adopt({ host: 'cfg-prod', requestApproval: true }).expect(202);
    await stop();
  });
});
