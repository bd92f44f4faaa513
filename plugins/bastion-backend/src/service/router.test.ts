/*
 * The bastion plugin in a test backend: the grants API contract (used by the tickets plugin),
 * and a terminal over the real WebSocket route to a real sshd, watched and terminated.
 */
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { totpCode as totp } from '../mfa/otp';
import { parseAsciicast } from '../recording/readRecording';
import {
  api,
  connect,
  grantBody,
  startBackend,
} from './__testUtils__/testBackend';

jest.setTimeout(120_000);

// the two-instance test runs on PostgreSQL where it is available (CI), as replicas would
const replicaDb =
  process.env.OPSDECK_REQUIRE_POSTGRES_TESTS ||
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    ? ('POSTGRES_15' as const)
    : ('SQLITE_3' as const);
const databases = TestDatabases.create({
  ids: [...new Set(['SQLITE_3', replicaDb] as const)],
});
const alice = mockCredentials.user.header('user:default/alice');
let sshd: SshdHosts;

beforeAll(async () => {
  sshd = await startSshdHosts(1);
});
afterAll(async () => {
  await sshd?.stop();
});

describe('bastion grants API', () => {
  it('creates, lists and revokes grants for admins and service principals, audited', async () => {
    const { server, stop, audits } = await startBackend(sshd, databases);
    try {
      const created = await api(server, alice)
        .post('/grants')
        .send(grantBody(sshd));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.any(String),
        subject: 'user:default/frank',
        selector: { host: 'app-01' },
        loginUser: sshd.user,
        reason: 'ticket T-1',
        createdBy: 'user:default/alice',
      });

      const byService = await request(server)
        .post('/api/bastion/grants')
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service('plugin:tickets'),
            targetPluginId: 'bastion',
          }),
        )
        .send(
          grantBody(sshd, {
            subject: 'group:default/dev',
            selector: { system: 'payments', tag: 'java' },
          }),
        );
      expect(byService.status).toBe(201);
      expect(byService.body.createdBy).toBe('plugin:tickets');

      const list = await api(server, alice).get('/grants');
      expect(list.body.items.map((g: any) => g.id).sort()).toEqual(
        [created.body.id, byService.body.id].sort(),
      );

      const revoked = await api(server, alice).delete(
        `/grants/${created.body.id}`,
      );
      expect(revoked.status).toBe(204);
      const again = await api(server, alice).delete(
        `/grants/${created.body.id}`,
      );
      expect(again.status).toBe(404);
      expect(audits.map(a => [a.eventId, a.status])).toEqual([
        ['grant-create', 'succeeded'],
        ['grant-create', 'succeeded'],
        ['grant-revoke', 'succeeded'],
        ['grant-revoke', 'failed'],
      ]);
    } finally {
      await stop();
    }
  });

  it('rejects invalid grants and callers without the permission', async () => {
    const { server, stop } = await startBackend(
      sshd,
      databases,
      (permission, who) =>
        !(
          permission === 'opsdeck.bastion.grant.manage' &&
          who === 'user:default/bob'
        ),
    );
    try {
      const post = (body: unknown, auth = alice) =>
        api(server, auth)
          .post('/grants')
          .send(body as object);
      expect((await post(grantBody(sshd, { selector: {} }))).status).toBe(400);
      expect((await post(grantBody(sshd, { subject: 'frank' }))).status).toBe(
        400,
      );
      expect(
        (await post(grantBody(sshd, { expiresAt: 'tomorrow' }))).status,
      ).toBe(400);
      expect(
        (await post(grantBody(sshd, { expiresAt: '2001-01-01T00:00:00Z' })))
          .status,
      ).toBe(400);
      expect(
        (await post(grantBody(sshd, { loginUser: 'root; rm' }))).status,
      ).toBe(400);
      expect(
        (
          await post(
            grantBody(sshd),
            mockCredentials.user.header('user:default/bob'),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await request(server)
            .post('/api/bastion/grants')
            .send(grantBody(sshd))
        ).status,
      ).toBe(401);
    } finally {
      await stop();
    }
  });
});

describe('bastion TOTP re-enrolment', () => {
  const frank = mockCredentials.user.header('user:default/frank');
  const carol = mockCredentials.user.header('user:default/carol');

  async function enrolled(server: string, auth: string): Promise<string> {
    const name = /user:default\/(\w+)/.exec(auth)?.[1];
    const enrol = await api(server, auth)
      .post('/mfa/enrol')
      .send({ password: `${name}-password` });
    expect(enrol.status).toBe(200);
    const ok = await api(server, auth)
      .post('/mfa/verify')
      .send({ code: totp(enrol.body.secret, Date.now()) });
    expect(ok.status).toBe(200);
    return enrol.body.secret;
  }

  it('lets a user replace their own secret with a current code, audited', async () => {
    const { server, stop, audits } = await startBackend(
      sshd,
      databases,
      permission => permission !== 'opsdeck.bastion.mfa.reset',
    );
    try {
      // enrolment binds an authenticator only for the holder of the password
      const bare = await api(server, carol).post('/mfa/enrol').send({});
      expect(bare.status).toBe(400);
      const guessed = await api(server, carol)
        .post('/mfa/enrol')
        .send({ password: 'frank-password' });
      expect(guessed.status).toBe(403);
      expect(guessed.body.secret).toBeUndefined();
      expect(
        audits.filter(a => a.eventId === 'mfa-enrol').map(a => a.status),
      ).toEqual(['failed']);
      const old = await enrolled(server, frank);
      const status = await api(server, frank).get('/mfa');
      expect(status.body).toMatchObject({
        enrolled: true,
        verifiedUntil: expect.any(String),
        canResetOthers: false,
      });

      const wrong = await api(server, frank)
        .post('/mfa/reset')
        .send({
          code: totp(old, Date.now() + 3600_000),
          password: 'frank-password',
        });
      expect(wrong.status).toBe(403);
      // a right code without the password, or with a wrong one, changes nothing
      const noPassword = await api(server, frank)
        .post('/mfa/reset')
        .send({ code: totp(old, Date.now() + 30_000) });
      expect(noPassword.status).toBe(400);
      const wrongPassword = await api(server, frank)
        .post('/mfa/reset')
        .send({ code: totp(old, Date.now() + 30_000), password: 'guess' });
      expect(wrongPassword.status).toBe(403);
      const malformed = await api(server, frank)
        .post('/mfa/reset')
        .send({ code: 'abc', password: 'frank-password' });
      expect(malformed.status).toBe(400);
      const noEnrolment = await api(server, carol)
        .post('/mfa/reset')
        .send({ code: '123456', password: 'carol-password' });
      expect(noEnrolment.status).toBe(403);

      // the next time step's code: newer than the one the step-up used (no replay)
      const reset = await api(server, frank)
        .post('/mfa/reset')
        .send({
          code: totp(old, Date.now() + 30_000),
          password: 'frank-password',
        });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual({
        secret: expect.stringMatching(/^[A-Z2-7]+$/),
        otpauthUri: expect.stringContaining('otpauth://totp/'),
        qrCode: expect.stringMatching(/^data:image\/png;base64,/),
      });
      expect(reset.body.secret).not.toBe(old);
      // the step-up ended with the old secret; the new one must be confirmed first
      const after = await api(server, frank).get('/mfa');
      expect(after.body.enrolled).toBe(false);
      expect(after.body.verifiedUntil).toBeUndefined();
      const oldCode = await api(server, frank)
        .post('/mfa/verify')
        .send({ code: totp(old, Date.now() + 30_000) });
      expect(oldCode.status).toBe(403);
      const confirm = await api(server, frank)
        .post('/mfa/verify')
        .send({ code: totp(reset.body.secret, Date.now()) });
      expect(confirm.status).toBe(200);
      const final = await api(server, frank).get('/mfa');
      expect(final.body.enrolled).toBe(true);

      const resets = audits.filter(a => a.eventId === 'mfa-reset');
      expect(resets.map(a => a.status)).toEqual([
        'failed',
        'failed',
        'failed',
        'succeeded',
      ]);
    } finally {
      await stop();
    }
  });

  it("lets an admin reset another user's enrolment so they enrol again, audited", async () => {
    const { server, stop, audits } = await startBackend(
      sshd,
      databases,
      (permission, principal) =>
        permission !== 'opsdeck.bastion.mfa.reset' ||
        principal === 'user:default/alice',
    );
    try {
      await enrolled(server, frank);
      const status = await api(server, alice).get('/mfa');
      expect(status.body.canResetOthers).toBe(true);

      const notAdmin = await api(server, carol)
        .post('/mfa/admin-reset')
        .send({ userRef: 'user:default/frank' });
      expect(notAdmin.status).toBe(403);
      const badRef = await api(server, alice)
        .post('/mfa/admin-reset')
        .send({ userRef: 'frank' });
      expect(badRef.status).toBe(400);

      const reset = await api(server, alice)
        .post('/mfa/admin-reset')
        .send({ userRef: 'user:default/frank' });
      expect(reset.status).toBe(204);
      const frankStatus = await api(server, frank).get('/mfa');
      expect(frankStatus.body).toMatchObject({ enrolled: false });
      expect(frankStatus.body.verifiedUntil).toBeUndefined();
      const again = await api(server, alice)
        .post('/mfa/admin-reset')
        .send({ userRef: 'user:default/frank' });
      expect(again.status).toBe(404);
      // frank enrols afresh
      await enrolled(server, frank);

      expect(
        audits
          .filter(a => a.eventId === 'mfa-admin-reset')
          .map(a => [a.status, a.meta]),
      ).toEqual([
        // the non-admin was refused at the edge (below); the malformed ref by
        // request validation, before the handler
        [
          'succeeded',
          { userRef: 'user:default/frank', target: 'user:default/frank' },
        ],
        [
          'failed',
          { userRef: 'user:default/frank', target: 'user:default/frank' },
        ],
      ]);
      expect(
        audits
          .filter(a => a.eventId === 'access-denied')
          .map(a => [a.status, (a.meta as { target?: string })?.target]),
      ).toEqual([['failed', '/api/bastion/mfa/admin-reset']]);
    } finally {
      await stop();
    }
  });
});

describe('bastion terminal WebSocket', () => {
  it('opens a shell for a granted user, lets an admin watch and terminate it, and serves the recording', async () => {
    const { server, stop, audits } = await startBackend(sshd, databases);
    try {
      const noGrant = connect(
        server,
        '/terminal?host=app-01',
        'user:default/frank',
      );
      expect(await noGrant.first()).toMatchObject({
        type: 'error',
        code: 'bastion-no-grant',
        host: 'app-01',
      });

      await api(server, alice)
        .post('/grants')
        .send(grantBody(sshd, { selector: { tag: 'java' } }));
      const prod = connect(
        server,
        '/terminal?host=pay-01',
        'user:default/frank',
      );
      expect(await prod.first()).toMatchObject({
        type: 'error',
        code: 'bastion-mfa-required',
        environment: 'prod',
      });

      const term = connect(
        server,
        '/terminal?host=app-01&cols=90&rows=20',
        'user:default/frank',
      );
      const id = await term.ready('ready');
      term.input('echo ws-$((6*7)); stty size\r');
      await term.until(() => /ws-42\r\n20 90/.test(term.output()), 'echo');

      const live = await api(server, alice).get('/sessions/live');
      expect(live.body.items).toEqual([
        expect.objectContaining({
          id,
          host: 'app-01',
          userRef: 'user:default/frank',
          live: true,
        }),
      ]);

      const watcher = connect(
        server,
        `/watch?session=${id}`,
        'user:default/alice',
      );
      await watcher.until(
        () => watcher.output().includes('ws-42'),
        'watch history',
      );
      term.input('echo watched-$((1+1))\r');
      await watcher.until(
        () => watcher.output().includes('watched-2'),
        'watch live',
      );

      // file transfer over SFTP on the session's host, as its login user; only the owner may
      const content = Buffer.from('uploaded through the bastion 你好\n');
      const frankAuth = mockCredentials.user.header('user:default/frank');
      const up = await request(server)
        .put(
          `/api/bastion/sessions/${id}/files?path=${encodeURIComponent(
            `/tmp/bastion-${id}.txt`,
          )}`,
        )
        .set('Authorization', frankAuth)
        .set('Content-Type', 'application/octet-stream')
        .send(content);
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ bytes: content.length });
      const down = await request(server)
        .get(
          `/api/bastion/sessions/${id}/files?path=${encodeURIComponent(
            `/tmp/bastion-${id}.txt`,
          )}`,
        )
        .set('Authorization', frankAuth)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(down.status).toBe(200);
      expect(Buffer.compare(down.body, content)).toBe(0);
      const notOwner = await api(server, alice).get(
        `/sessions/${id}/files?path=${encodeURIComponent('/etc/hostname')}`,
      );
      expect(notOwner.status).toBe(404);
      const missing = await api(server, frankAuth).get(
        `/sessions/${id}/files?path=${encodeURIComponent('/nonexistent/file')}`,
      );
      expect(missing.status).toBe(404);

      const terminated = await api(server, alice).post(
        `/sessions/${id}/terminate`,
      );
      expect(terminated.status).toBe(204);
      expect(await term.closed('closed')).toEqual({
        type: 'closed',
        reason: 'Terminated by user:default/alice',
      });
      await watcher.closed('watcher closed');

      const own = await api(
        server,
        mockCredentials.user.header('user:default/frank'),
      ).get('/sessions');
      expect(own.body.items).toEqual([
        expect.objectContaining({
          id,
          live: false,
          endReason: 'Terminated by user:default/alice',
        }),
      ]);
      const rec = await api(
        server,
        mockCredentials.user.header('user:default/frank'),
      ).get(`/sessions/${id}/recording`);
      expect(rec.status).toBe(200);
      const cast = parseAsciicast(rec.text);
      expect(cast.header).toMatchObject({ version: 2, width: 90, height: 20 });
      expect(cast.events.map(e => e[2]).join('')).toContain('watched-2');

      const cmds = await api(server, alice).get('/commands?q=watched');
      expect(cmds.body.items).toEqual([
        expect.objectContaining({
          command: 'echo watched-$((1+1))',
          action: 'run',
          host: 'app-01',
        }),
      ]);
      expect(audits.map(a => a.eventId)).toEqual(
        expect.arrayContaining([
          'session-open',
          'file-upload',
          'file-download',
          'session-terminate',
          'session-close',
        ]),
      );
    } finally {
      await stop();
    }
  });
});

describe('bastion on two backend instances sharing one database', () => {
  it('lists, watches and terminates through instance B a session that instance A holds', async () => {
    const knex = await databases.init(replicaDb);
    const recordingsDir = mkdtempSync(join(tmpdir(), 'bastion-replicas-'));
    const a = await startBackend(sshd, databases, undefined, {
      knex,
      recordingsDir,
      instanceId: 'backend-a',
    });
    const b = await startBackend(sshd, databases, undefined, {
      knex,
      recordingsDir,
      instanceId: 'backend-b',
    });
    try {
      await api(a.server, alice).post('/grants').send(grantBody(sshd));
      const term = connect(
        a.server,
        '/terminal?host=app-01',
        'user:default/frank',
      );
      const id = await term.ready('ready on A');
      term.input('echo on-a-$((5*5))\r');
      await term.until(() => term.output().includes('on-a-25'), 'echo');

      const live = await api(b.server, alice).get('/sessions/live');
      expect(live.status).toBe(200);
      expect(live.body.items).toEqual([
        expect.objectContaining({
          id,
          instanceId: 'backend-a',
          local: false,
          live: true,
        }),
      ]);
      const one = await api(b.server, alice).get(`/sessions/${id}`);
      expect(one.body).toMatchObject({ live: true, instanceId: 'backend-a' });

      // watched on B from the shared recordings directory
      const watcher = connect(
        b.server,
        `/watch?session=${id}`,
        'user:default/alice',
      );
      await watcher.until(
        () => watcher.output().includes('on-a-25'),
        'watch history',
      );
      term.input('echo seen-on-b\r');
      await watcher.until(
        () => watcher.output().includes('seen-on-b'),
        'watch live',
      );

      const terminated = await api(b.server, alice).post(
        `/sessions/${id}/terminate`,
      );
      expect(terminated.status).toBe(202);
      expect(terminated.body).toEqual({
        done: 'requested',
        instanceId: 'backend-a',
      });
      expect(await term.closed('closed by A')).toEqual({
        type: 'closed',
        reason: 'Terminated by user:default/alice',
      });
      await watcher.closed('watcher closed');
      const after = await api(b.server, alice).get('/sessions/live');
      expect(after.body.items).toEqual([]);
      const again = await api(b.server, alice).post(
        `/sessions/${id}/terminate`,
      );
      expect(again.status).toBe(404);
      expect(
        b.audits
          .filter(e => e.eventId === 'session-terminate')
          .map(e => e.status),
      ).toEqual(['succeeded', 'failed']);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
