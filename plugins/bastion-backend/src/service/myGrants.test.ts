/*
 * GET /my-grants, the workbench's "my access": the caller's own grants in
 * force, for anyone who may open terminals (no grant.read needed).
 */
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { SshdHosts } from '@opsdeck/plugin-remote-node/testUtils';
import type { Grant } from '../database/BastionStore';
import { grantsHeldBy } from '../grants/matchGrant';
import { api, grantBody, startBackend } from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
// no terminal is opened here: the hosts only need an address
const sshd = {
  hosts: [{ host: '127.0.0.1', port: 9 }],
  user: 'opsdeck',
} as unknown as SshdHosts;
const alice = mockCredentials.user.header('user:default/alice');
const frank = mockCredentials.user.header('user:default/frank');
const dave = mockCredentials.user.header('user:default/dave');

describe('GET /my-grants', () => {
  it("lists the caller's grants in force only, without grant.read; refuses those who may not open terminals", async () => {
    const { server, stop } = await startBackend(
      sshd,
      databases,
      (permission, who) =>
        !(
          (permission === 'opsdeck.bastion.grant.read' &&
            who !== 'user:default/alice') ||
          (permission === 'opsdeck.bastion.session.open' &&
            who === 'user:default/dave')
        ),
    );
    try {
      const mine = await api(server, alice)
        .post('/grants')
        .send(grantBody(sshd));
      expect(mine.status).toBe(201);
      const revoked = await api(server, alice)
        .post('/grants')
        .send(grantBody(sshd, { selector: { host: 'pay-01' } }));
      expect(revoked.status).toBe(201);
      expect(
        (await api(server, alice).delete(`/grants/${revoked.body.id}`)).status,
      ).toBe(204);
      const other = await api(server, alice)
        .post('/grants')
        .send(grantBody(sshd, { subject: 'user:default/erin' }));
      expect(other.status).toBe(201);

      // frank may not list all grants, but sees his own one in force
      expect((await api(server, frank).get('/grants')).status).toBe(403);
      const list = await api(server, frank).get('/my-grants');
      expect(list.status).toBe(200);
      expect(list.body.items.map((g: Grant) => g.id)).toEqual([mine.body.id]);
      expect(list.body.items[0]).toMatchObject({
        subject: 'user:default/frank',
        selector: { host: 'app-01' },
      });
      // someone who may not open terminals is refused, not given an empty list
      expect((await api(server, dave).get('/my-grants')).status).toBe(403);
    } finally {
      await stop();
    }
  });
});

describe('grantsHeldBy', () => {
  const grant = (id: string, subject: string, expiresIn: number): Grant => ({
    id,
    subject,
    selector: { host: 'app-01' },
    loginUser: 'opsdeck',
    expiresAt: new Date(1_000_000 + expiresIn).toISOString(),
    createdBy: 'user:default/alice',
    createdAt: new Date(0).toISOString(),
  });

  it("takes the user's and the user's groups' grants in force, longest-lasting first", () => {
    const grants = [
      grant('a', 'user:default/frank', 10),
      grant('b', 'group:default/dev', 500),
      grant('c', 'group:default/ops', 500),
      grant('d', 'user:default/frank', -1),
      grant('e', 'frank', 100),
      { ...grant('f', 'user:default/frank', 900), revokedAt: 'x' },
    ];
    expect(
      grantsHeldBy(
        grants,
        ['user:default/frank', 'group:default/DEV'],
        1_000_000,
      ).map(g => g.id),
    ).toEqual(['b', 'e', 'a']);
  });
});
