import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { createChangeApprovalsMock } from '@opsdeck/plugin-tickets-node/testUtils';
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { hostEntity, startConfigBackend } from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

// When an approval ticket is spent: only by the change it approved, and only
// once that change can reach a host (adoption: the exact live bytes shown to
// the approver; release: after every pre-flight step).
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const bob = mockCredentials.user.header('user:default/bob');
const alice = mockCredentials.user.header('user:default/alice');
const carol = mockCredentials.user.header('user:default/carol');
const ALICE = 'user:default/alice';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

let sshd: SshdHosts;
let work: string;
beforeAll(async () => {
  sshd = await startSshdHosts(1);
  work = mkdtempSync(join(tmpdir(), 'opsdeck-config-spent-'));
  chmodSync(work, 0o777);
});
afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.each(databases.eachSupportedId())(
  'approval tickets spent only by what they approved, on %p',
  dbId => {
    async function start(setExtra: object = {}) {
      const knex = await databases.init(dbId);
      const approvals = createChangeApprovalsMock();
      const backend = await startConfigBackend({
        knex,
        privateKey: sshd.privateKeyText,
        entities: [
          hostEntity('cfg-prod', sshd.hosts[0].port, { environment: 'prod' }),
        ],
        deny: {
          'user:default/bob': ['opsdeck.config.push.prod'],
          'user:default/carol': [
            'opsdeck.config.push',
            'opsdeck.config.push.prod',
          ],
        },
        approvals,
      });
      const { server } = backend;
      const target = join(
        work,
        `p-${Math.random().toString(36).slice(2)}.json`,
      );
      const set = (
        await request(server)
          .post('/api/config/sets')
          .set('Authorization', alice)
          .send({
            name: `spent-${Math.random().toString(36).slice(2, 8)}`,
            kind: 'json',
            owner: 'group:default/ops',
            selector: { names: ['cfg-prod'] },
            targetPath: target,
            ...setExtra,
          })
          .expect(201)
      ).body;
      const save = async (template: string) =>
        (
          await request(server)
            .post(`/api/config/sets/${set.id}/versions`)
            .set('Authorization', bob)
            .send({ template, message: 'v' })
            .expect(201)
        ).body.version as number;
      const post = (path: string, body: object) =>
        request(server)
          .post(`/api/config/sets/${set.id}/${path}`)
          .set('Authorization', bob)
          .send(body);
      const approved = async (path: string, body: object) => {
        const ticketId = (
          await post(path, { ...body, requestApproval: true }).expect(202)
        ).body.approvalTicket.ticketId as number;
        approvals.decide(ticketId, ALICE, 'approve');
        return ticketId;
      };
      const stateOf = (id: number) =>
        approvals.tickets.find(t => t.id === id)?.state;
      const releases = async () =>
        (
          await request(server)
            .get(`/api/config/sets/${set.id}/releases`)
            .set('Authorization', bob)
            .expect(200)
        ).body.items as any[];
      return {
        ...backend,
        approvals,
        set,
        target,
        save,
        post,
        approved,
        stateOf,
        releases,
      };
    }

    it('an adoption ticket approves the exact live bytes shown: changed since, 409 and unused', async () => {
      const { set, target, post, approved, approvals, stateOf, server, stop } =
        await start();
      const shown = '{"v": "by hand"}\n';
      writeFileSync(target, shown);
      const ticketId = await approved('adopt', { host: 'cfg-prod' });
      // the approver reads the live file the ticket approves
      expect(
        approvals.tickets.find(t => t.id === ticketId)?.change,
      ).toMatchObject({
        action: 'adopt',
        live: shown,
        liveShownSha256: sha(shown),
      });

      // edited again by hand after the approval was asked for
      writeFileSync(target, '{"v": "by hand, later"}\n');
      const refused = await post('adopt', {
        host: 'cfg-prod',
        approvalTicket: ticketId,
      }).expect(409);
      expect(refused.body.error.message).toMatch(
        /changed since approval ticket/,
      );
      expect(stateOf(ticketId)).toBe('approved');
      const versions = async () =>
        (
          await request(server)
            .get(`/api/config/sets/${set.id}/versions`)
            .set('Authorization', bob)
            .expect(200)
        ).body.items as any[];
      expect(await versions()).toHaveLength(0);

      // the bytes the approver saw again: the same ticket adopts them, once
      writeFileSync(target, shown);
      const adopted = await post('adopt', {
        host: 'cfg-prod',
        approvalTicket: ticketId,
      }).expect(201);
      expect(adopted.body.template).toBe(shown);
      expect(stateOf(ticketId)).toBe('done');

      // the caller's own view (liveSha256 from drift) is checked too
      writeFileSync(target, '{"v": 3}\n');
      await request(server)
        .post(`/api/config/sets/${set.id}/adopt`)
        .set('Authorization', alice)
        .send({ host: 'cfg-prod', liveSha256: sha(shown) })
        .expect(409);
      await request(server)
        .post(`/api/config/sets/${set.id}/adopt`)
        .set('Authorization', alice)
        .send({ host: 'cfg-prod', liveSha256: sha('{"v": 3}\n') })
        .expect(201);
      await stop();
    });

    it('a release refused before its first host (render error) leaves its ticket unused, parallel claims too', async () => {
      const { save, post, approved, stateOf, releases, target, stop } =
        await start();
      // strict rendering: an undefined variable fails every host's render
      const broken = await save('{"v": "{{vars.nope}}"}\n');
      const ticketId = await approved('releases', { version: broken });
      const tries = await Promise.all(
        Array.from({ length: 4 }, () =>
          post('releases', { version: broken, approvalTicket: ticketId }),
        ),
      );
      for (const t of tries) {
        expect(t.status).toBe(400);
        expect(t.body.error.message).toMatch(/cfg-prod: .*nope/);
      }
      expect(stateOf(ticketId)).toBe('approved');
      expect(await releases()).toHaveLength(0);
      expect(() => readFileSync(target)).toThrow();

      // a rollback to it is refused the same way, its ticket unused
      const rb = await approved('rollback', { toVersion: broken });
      await post('rollback', { toVersion: broken, approvalTicket: rb }).expect(
        400,
      );
      expect(stateOf(rb)).toBe('approved');
      await stop();
    });

    it('a release that reached its host keeps its ticket spent, even when it failed there', async () => {
      const { save, post, approved, stateOf, releases, server, stop } =
        await start({ reloadCommand: 'exit 3' });
      const v = await save('{"v": 1}\n');
      const ticketId = await approved('releases', { version: v });
      // parallel claims of one ticket: one release
      const tries = await Promise.all(
        Array.from({ length: 4 }, () =>
          post('releases', { version: v, approvalTicket: ticketId }),
        ),
      );
      const statuses = tries.map(t => t.status).sort();
      expect(statuses[0]).toBe(201);
      expect(statuses.filter(s => s === 201)).toHaveLength(1);
      const [release] = await releases();
      await eventually(
        async () =>
          (
            await request(server)
              .get(`/api/config/releases/${release.id}`)
              .set('Authorization', bob)
          ).body.status !== 'running',
      );
      const ended = (
        await request(server)
          .get(`/api/config/releases/${release.id}`)
          .set('Authorization', bob)
      ).body;
      expect(ended.status).toBe('failed');
      expect(ended.hosts[0].state).toBe('reverted');
      expect(stateOf(ticketId)).toBe('done');
      await post('releases', { version: v, approvalTicket: ticketId }).expect(
        409,
      );
      await stop();
    });
    it('a push without reload waits for a separate reload: gated as a push, claimed once of parallel reloads', async () => {
      const {
        set,
        save,
        post,
        approvals,
        stateOf,
        server,
        target,
        audits,
        stop,
      } = await start({ reloadCommand: 'cp "$TARGET" "$TARGET.loaded"' });
      const v = await save('{"v": "two-step"}\n');
      const api = (who: string, path: string, body: object = {}) =>
        request(server)
          .post(`/api/config${path}`)
          .set('Authorization', who)
          .send(body);
      const get = async (id: number) =>
        (
          await request(server)
            .get(`/api/config/releases/${id}`)
            .set('Authorization', bob)
            .expect(200)
        ).body;
      const { id } = (
        await api(alice, `/sets/${set.id}/releases`, {
          version: v,
          reload: false,
        }).expect(201)
      ).body;
      await eventually(async () => (await get(id)).status !== 'running');
      const swapped = await get(id);
      expect(swapped).toMatchObject({ status: 'swapped', reload: false });
      expect(swapped.hosts.map((h: any) => h.state)).toEqual(['swapped']);
      // swapped in, not reloaded
      expect(readFileSync(target, 'utf8')).toBe('{"v": "two-step"}\n');
      expect(() => readFileSync(`${target}.loaded`)).toThrow();
      // no other push while the reload is pending
      const busy = await post('releases', { version: v }).expect(409);
      expect(busy.body.error).toMatchObject({
        code: 'config-release-busy',
        release: id,
        status: 'swapped',
      });
      // who may not push may not reload; a prod host needs the prod
      // permission or an approval of exactly this reload
      await api(carol, `/releases/${id}/reload`).expect(403);
      const refused = await api(bob, `/releases/${id}/reload`).expect(403);
      expect(refused.body).toMatchObject({ approvalRequired: true });
      const ticketId = (
        await api(bob, `/releases/${id}/reload`, {
          requestApproval: true,
        }).expect(202)
      ).body.approvalTicket.ticketId as number;
      expect(approvals.tickets.find(t => t.id === ticketId)).toMatchObject({
        requester: 'user:default/bob',
        change: expect.objectContaining({ action: 'reload', releaseId: id }),
      });
      // not approved yet: refused, nothing reloaded
      expect(stateOf(ticketId)).toBe('pending');
      await api(bob, `/releases/${id}/reload`, {
        approvalTicket: ticketId,
      }).expect(403);
      approvals.decide(ticketId, ALICE, 'approve');
      expect(await get(id)).toMatchObject({ status: 'swapped' });

      // parallel reloads (the approved requester twice, an admin twice):
      // one claim wins, the others are refused
      const tries = await Promise.all([
        api(bob, `/releases/${id}/reload`, { approvalTicket: ticketId }),
        api(alice, `/releases/${id}/reload`),
        api(bob, `/releases/${id}/reload`, { approvalTicket: ticketId }),
        api(alice, `/releases/${id}/reload`),
      ]);
      expect(tries.map(t => t.status).sort()).toEqual([200, 409, 409, 409]);
      const won = tries.find(t => t.status === 200)!.body;
      await eventually(async () => (await get(id)).status === 'done');
      const done = await get(id);
      expect(done.reloadedBy).toBe(won.reloadedBy);
      expect(done.hosts.map((h: any) => h.state)).toEqual(['done']);
      expect(readFileSync(`${target}.loaded`, 'utf8')).toBe(
        '{"v": "two-step"}\n',
      );
      // (the ticket's request is a succeeded event too, without hosts)
      const reloads = audits.filter(
        a =>
          a.eventId === 'config-release-reload' &&
          a.status === 'succeeded' &&
          a.meta?.hosts,
      );
      expect(reloads).toEqual([
        expect.objectContaining({
          actor: won.reloadedBy === ALICE ? alice : bob,
          meta: expect.objectContaining({ releaseId: id }),
        }),
      ]);
      expect(
        audits.filter(
          a => a.eventId === 'config-release-reload' && a.status === 'failed',
        ).length,
        // refused for want of an approval, with the pending ticket, and the
        // three reloads that lost the claim
      ).toBe(5);
      // reloaded once: later reloads are refused with a code
      const again = await api(alice, `/releases/${id}/reload`).expect(409);
      expect(again.body.error).toMatchObject({
        code: 'config-release-not-swapped',
        status: 'done',
      });
      // the set is free again
      await api(alice, `/sets/${set.id}/releases`, { version: v }).expect(201);
      await stop();
    });
  },
);
