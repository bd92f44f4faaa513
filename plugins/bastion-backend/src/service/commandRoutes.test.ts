/*
 * The plugin's routes for command control, in a backend with the real routers: review requests
 * (permission, never one's own, the first decision wins, audited with both people, the waiting
 * terminal runs the command) and SFTP in a session judged by path rules (a symlinked path is
 * judged where it resolves on the host) and audited.
 */
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  api,
  connect,
  grantBody,
  startBackend,
} from './__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const frankAuth = mockCredentials.user.header('user:default/frank');
let sshd: SshdHosts;

beforeAll(async () => {
  sshd = await startSshdHosts(1);
});
afterAll(async () => {
  await sshd?.stop();
});

/** Everyone may do everything but review, which only alice may. */
const onlyAliceReviews = (permission: string, principal: string) =>
  permission !== 'opsdeck.bastion.command.review' ||
  principal === 'user:default/alice';

describe('command review routes', () => {
  it('lets an approver (never the requester) decide once, and the terminal runs it', async () => {
    const { server, stop, audits } = await startBackend(
      sshd,
      databases,
      onlyAliceReviews,
    );
    try {
      const asAlice = api(server, alice);
      const asFrank = api(server, frankAuth);
      expect((await asAlice.post('/grants').send(grantBody(sshd))).status).toBe(
        201,
      );
      expect(
        (
          await asAlice.post('/rules').send({
            name: 'restarts need approval',
            kind: 'command',
            pattern: '^echo\\s+reviewed-',
            action: 'review',
            priority: 1,
          })
        ).status,
      ).toBe(201);
      const term = connect(
        server,
        '/terminal?host=app-01',
        'user:default/frank',
      );
      const sessionId = await term.ready();
      term.input('echo reviewed-$((6*7))\r');
      await term.until(
        () => term.output().includes('Waiting for approval'),
        'the waiting notice',
      );
      // frank may not see the queue, nor approve his own command
      expect((await asFrank.get('/reviews')).status).toBe(403);
      const pending = (await asAlice.get('/reviews?status=pending')).body.items;
      expect(pending).toHaveLength(1);
      expect(pending[0]).toMatchObject({
        sessionId,
        requestedBy: 'user:default/frank',
        status: 'pending',
      });
      expect(
        (await asFrank.post(`/reviews/${pending[0].id}/approve`)).status,
      ).toBe(403);
      const approved = await asAlice.post(`/reviews/${pending[0].id}/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        status: 'approved',
        decidedBy: 'user:default/alice',
      });
      // the second decision finds it decided
      expect(
        (await asAlice.post(`/reviews/${pending[0].id}/deny`)).status,
      ).toBe(409);
      await term.until(() => term.output().includes('reviewed-42'), 'the run');
      // the approver's event (actor alice, from the request), and the run with both people
      expect(audits).toContainEqual(
        expect.objectContaining({
          eventId: 'command-review-approve',
          status: 'succeeded',
        }),
      );
      expect(audits).toContainEqual(
        expect.objectContaining({
          eventId: 'command-approved-run',
          meta: expect.objectContaining({
            actor: 'user:default/frank',
            reviewedBy: 'user:default/alice',
            sessionId,
          }),
        }),
      );
      term.ws.close();
    } finally {
      await stop();
    }
  });
});

describe('SFTP in a session', () => {
  it('judges transfers by path rules where the path resolves on the host, and audits them', async () => {
    const { server, stop, audits } = await startBackend(sshd, databases);
    const dir = mkdtempSync(join(tmpdir(), 'bastion-sftp-'));
    chmodSync(dir, 0o755);
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'top secret\n');
    chmodSync(secret, 0o644);
    // a link the user may make: judged as the file it points to
    const link = join(dir, 'innocent.txt');
    symlinkSync(secret, link);
    execFileSync('chown', ['-h', `${sshd.user}:`, link]);
    try {
      const asAlice = api(server, alice);
      expect((await asAlice.post('/grants').send(grantBody(sshd))).status).toBe(
        201,
      );
      expect(
        (
          await asAlice.post('/rules').send({
            name: 'no secrets out',
            kind: 'file',
            pattern: '^download .*/secret\\.txt$',
            action: 'reject',
            priority: 1,
          })
        ).status,
      ).toBe(201);
      const term = connect(
        server,
        '/terminal?host=app-01',
        'user:default/frank',
      );
      const sessionId = await term.ready();
      const asFrank = api(server, frankAuth);
      for (const path of [
        secret,
        link,
        `${dir}/../${dir.split('/').pop()}/secret.txt`,
      ]) {
        const res = await asFrank.get(
          `/sessions/${sessionId}/files?path=${encodeURIComponent(path)}`,
        );
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(
          `${secret} refused by rule "no secrets out"`,
        );
      }
      expect(audits).toContainEqual(
        expect.objectContaining({ eventId: 'file-download', status: 'failed' }),
      );
      // other files pass, with the resolved path in the audit event
      writeFileSync(join(dir, 'ok.txt'), 'fine\n');
      chmodSync(join(dir, 'ok.txt'), 0o644);
      const ok = await asFrank.get(
        `/sessions/${sessionId}/files?path=${encodeURIComponent(
          join(dir, 'ok.txt'),
        )}`,
      );
      expect(ok.status).toBe(200);
      expect(audits).toContainEqual(
        expect.objectContaining({
          eventId: 'file-download',
          status: 'succeeded',
        }),
      );
      const commands = (
        await asAlice.get(`/commands?sessionId=${sessionId}`)
      ).body.items.map((c: { command: string; action: string }) => [
        c.command,
        c.action,
      ]);
      expect(commands).toContainEqual([`download ${secret}`, 'rejected']);
      expect(commands).toContainEqual([
        `download ${join(dir, 'ok.txt')}`,
        'run',
      ]);
      term.ws.close();
    } finally {
      await stop();
    }
  });
});
