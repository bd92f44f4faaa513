/*
 * GET /my-assets: the hosts the caller's own grants in force reach, through the
 * host index, for anyone who may open terminals.
 */
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { SshdHosts } from '@opsdeck/plugin-remote-node/testUtils';
import type { Grant } from '../database/BastionStore';
import { listMyAssets, type Asset } from '../grants/myAssets';
import type { BastionHost } from '../session/hosts';
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
const erin = mockCredentials.user.header('user:default/erin');
const dave = mockCredentials.user.header('user:default/dave');

describe('GET /my-assets', () => {
  it("lists the hosts of the caller's own grants in force only; refuses those who may not open terminals", async () => {
    const { server, stop } = await startBackend(
      sshd,
      databases,
      (permission, who) =>
        !(
          (permission.startsWith('opsdeck.bastion.grant.') &&
            who !== 'user:default/alice') ||
          (permission === 'opsdeck.bastion.session.open' &&
            who === 'user:default/dave')
        ),
    );
    try {
      const grant = async (overrides: Record<string, unknown>) => {
        const r = await api(server, alice)
          .post('/grants')
          .send(grantBody(sshd, overrides));
        expect(r.status).toBe(201);
        return r.body as Grant;
      };
      // frank: app-01 by name (as two logins), pay-01 only through a revoked and an
      // expiring grant; erin: pay-01
      await grant({ selector: { host: 'app-01' } });
      const later = new Date(Date.now() + 7200_000).toISOString();
      await grant({
        selector: { system: 'payments', tag: 'java' },
        loginUser: 'deploy',
        expiresAt: later,
      });
      const revoked = await grant({ selector: { host: 'pay-01' } });
      expect(
        (await api(server, alice).delete(`/grants/${revoked.id}`)).status,
      ).toBe(204);
      await grant({
        subject: 'user:default/erin',
        selector: { host: 'pay-01' },
      });

      // only app-01 is not yet true: the system grant reaches both hosts
      let list = await api(server, frank).get('/my-assets');
      expect(list.status).toBe(200);
      expect(list.body.items.map((a: Asset) => a.name)).toEqual([
        'pay-01',
        'app-01',
      ]);
      expect(list.body.truncated).toBe(false);
      const app = list.body.items.find((a: Asset) => a.name === 'app-01');
      expect(app).toMatchObject({
        entityRef: 'resource:default/app-01',
        system: 'system:default/payments',
        environment: 'staging',
        loginUsers: ['deploy', 'opsdeck'],
        expiresAt: later,
        mfaRequired: false,
      });
      // prod asks for a step-up (the default MFA environments)
      expect(list.body.items[0].mfaRequired).toBe(true);

      // a grant that expires drops out of the list
      const soon = await grant({
        subject: 'user:default/erin',
        selector: { host: 'app-01' },
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      });
      list = await api(server, erin).get('/my-assets');
      expect(list.body.items.map((a: Asset) => a.name)).toEqual([
        'pay-01',
        'app-01',
      ]);
      while (Date.now() <= new Date(soon.expiresAt).getTime()) {
        await new Promise(r => setTimeout(r, 200));
      }
      list = await api(server, erin).get('/my-assets');
      expect(list.status).toBe(200);
      expect(list.body.items.map((a: Asset) => a.name)).toEqual(['pay-01']);
      expect(list.body.items[0].loginUsers).toEqual(['opsdeck']);

      // nobody asks for someone else's assets: a user parameter is no way in
      const asOther = await api(server, erin).get(
        '/my-assets?user=user%3Adefault%2Ffrank',
      );
      expect(
        asOther.status !== 200 ||
          asOther.body.items.every(
            (a: Asset) => a.name === 'pay-01' && a.loginUsers[0] === 'opsdeck',
          ),
      ).toBe(true);
      // alice (grant manager) holds no grant herself: nothing
      list = await api(server, alice).get('/my-assets');
      expect(list.body).toEqual({ items: [], truncated: false });

      // someone who may not open terminals is refused; nobody signed in is refused
      expect((await api(server, dave).get('/my-assets')).status).toBe(403);
      expect(
        (await api(server, mockCredentials.none.header()).get('/my-assets'))
          .status,
      ).toBe(401);
    } finally {
      await stop();
    }
  });
});

describe('listMyAssets', () => {
  const host = (name: string, system?: string, environment?: string) =>
    ({
      name,
      entityRef: `resource:default/${name}`,
      address: '10.0.0.1',
      port: 22,
      tags: ['web'],
      ...(system && { system: `system:default/${system}` }),
      ...(environment && { environment }),
    } as BastionHost);
  const hosts = [
    host('web-02', 'shop', 'prod'),
    host('web-01', 'shop', 'prod'),
    host('db-01', 'shop', 'dev'),
    host('lone-01'),
    host('pay-01', 'payments', 'prod'),
  ];
  const grant = (selector: Grant['selector'], loginUser = 'ops'): Grant => ({
    id: `${JSON.stringify(selector)}${loginUser}`,
    subject: 'user:default/frank',
    selector,
    loginUser,
    expiresAt: new Date(1_000_000).toISOString(),
    createdBy: 'user:default/alice',
    createdAt: new Date(0).toISOString(),
  });
  // a host index that answers too much: the grant's own matcher still decides
  const directory = {
    resolveHosts: jest.fn(async () => hosts),
  };

  it('groups each host once, sorted by system, environment and name, with facts as a summary', async () => {
    const factsOf = jest.fn(async (list: BastionHost[]) => {
      expect(list.map(h => h.name).sort()).toEqual([
        'db-01',
        'lone-01',
        'web-01',
        'web-02',
      ]);
      return new Map([
        [
          'resource:default/web-01',
          { reachable: true, os: 'Debian 12', kernel: '6.1', ips: ['x'] },
        ],
        ['resource:default/web-02', {}],
      ]);
    });
    const { items, truncated } = await listMyAssets({
      grants: [
        grant({ system: 'shop' }),
        grant({ host: 'web-01' }, 'root'),
        grant({ host: 'lone-01' }),
        grant({}),
      ],
      hosts: directory,
      mfaRequiredFor: h => h.environment === 'prod',
      factsOf,
    });
    expect(truncated).toBe(false);
    expect(items.map(a => a.name)).toEqual([
      'db-01',
      'web-01',
      'web-02',
      'lone-01',
    ]);
    expect(items[1]).toMatchObject({
      loginUsers: ['ops', 'root'],
      mfaRequired: true,
      facts: { reachable: true, os: 'Debian 12' },
    });
    // only the summary: no kernel, no addresses of the facts
    expect(items[1].facts).toEqual({ reachable: true, os: 'Debian 12' });
    expect(items[2].facts).toBeUndefined();
    // an empty selector reaches nothing and is never sent to the index
    expect(directory.resolveHosts).toHaveBeenCalledTimes(3);
  });

  it('lists the hosts without facts when the CMDB cannot answer', async () => {
    const { items } = await listMyAssets({
      grants: [grant({ host: 'pay-01' })],
      hosts: directory,
      mfaRequiredFor: () => false,
      factsOf: async () => {
        throw new Error('cmdb down');
      },
    });
    expect(items).toHaveLength(1);
    expect(items[0].name).toBe('pay-01');
    expect(items[0].facts).toBeUndefined();
  });
});

describe('listMyAssets: only hosts a terminal opens', () => {
  // a system grant reaches hosts in every namespace of the index, but a session opens
  // `resource:default/<name>` only: a host of another namespace is no asset of the
  // caller's (its address, owner and tags must not be listed), and its name must not
  // lead to the default namespace's host of the same name
  it('leaves out hosts outside the default namespace', async () => {
    const base = {
      address: '10.0.0.9',
      port: 22,
      tags: [],
      system: 'system:default/shop',
    };
    const directory = {
      resolveHosts: jest.fn(async () => [
        { ...base, name: 'web-01', entityRef: 'resource:default/web-01' },
        {
          ...base,
          name: 'web-01',
          entityRef: 'resource:staging/web-01',
          address: '10.9.9.9',
        },
        { ...base, name: 'secret-01', entityRef: 'resource:hidden/secret-01' },
      ]),
    };
    const { items } = await listMyAssets({
      grants: [
        {
          id: 'g',
          subject: 'user:default/frank',
          selector: { system: 'shop' },
          loginUser: 'ops',
          expiresAt: new Date(1_000_000).toISOString(),
          createdBy: 'user:default/alice',
          createdAt: new Date(0).toISOString(),
        },
      ],
      hosts: directory,
      mfaRequiredFor: () => false,
    });
    expect(items.map(a => a.entityRef)).toEqual(['resource:default/web-01']);
    expect(items[0].address).toBe('10.0.0.9');
  });
});
