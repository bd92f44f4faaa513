import {
  createBackendPlugin,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { HostsClient } from './HostsClient';
import { hostsServiceRef, type HostsService } from './service';
import { catalogHostsServiceFactory } from './testUtils';

const target = {
  name: 'web-01',
  entityRef: 'resource:default/web-01',
  address: '10.0.0.1',
  port: 22,
  tags: ['web'],
};

function client(response: () => Response) {
  const fetch = jest.fn(async (_url: string, _init: RequestInit) => response());
  const auth = mockServices.auth();
  const getPluginRequestToken = jest.spyOn(auth, 'getPluginRequestToken');
  const hosts = new HostsClient({
    discovery: mockServices.discovery(),
    auth,
    fetch: fetch as unknown as typeof globalThis.fetch,
  });
  return { hosts, fetch, getPluginRequestToken };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

describe('HostsClient (hostsServiceRef default factory)', () => {
  const alice = mockCredentials.user('user:default/alice');

  it("asks the CMDB on the caller's behalf", async () => {
    const { hosts, fetch, getPluginRequestToken } = client(() =>
      json({ items: [target], total: 1 }),
    );
    expect(
      await hosts.resolveHosts({ tags: ['web'] }, { credentials: alice }),
    ).toEqual([target]);
    expect(getPluginRequestToken).toHaveBeenCalledWith({
      onBehalfOf: alice,
      targetPluginId: 'cmdb',
    });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toMatch(/\/api\/cmdb\/hosts\/resolve$/);
    expect(JSON.parse(String(init.body))).toEqual({
      selector: { tags: ['web'] },
    });
    expect((init.headers as Record<string, string>).authorization).toMatch(
      /^Bearer /,
    );
    expect((await hosts.getHost('web-01', { credentials: alice }))?.name).toBe(
      'web-01',
    );
  });

  it('asks as the calling plugin for a service', async () => {
    const { hosts, getPluginRequestToken } = client(() =>
      json({ items: [], total: 0 }),
    );
    await hosts.resolveHosts(
      { tags: ['web'] },
      { credentials: mockCredentials.service('external:ci') },
    );
    const onBehalfOf = getPluginRequestToken.mock.calls[0][0]
      .onBehalfOf as BackstageCredentials<{ type: 'service'; subject: string }>;
    expect(onBehalfOf.principal.subject).not.toBe('external:ci');
  });

  it('refuses an empty selector without asking', async () => {
    const { hosts, fetch } = client(() => json({ items: [], total: 0 }));
    await expect(
      hosts.resolveHosts({ names: [] }, { credentials: alice }),
    ).rejects.toThrow(/at least one of/);
    expect(fetch).not.toHaveBeenCalled();
    expect(await hosts.getHost('', { credentials: alice })).toBeUndefined();
  });

  it('answers no host when the catalog read is denied, InputError for a refused selector', async () => {
    expect(
      await client(() =>
        json({ error: { name: 'NotAllowedError', message: 'no' } }, 403),
      ).hosts.resolveHosts({ tags: ['web'] }, { credentials: alice }),
    ).toEqual([]);
    await expect(
      client(() =>
        json({ error: { name: 'InputError', message: 'bad names' } }, 400),
      ).hosts.resolveHosts({ tags: ['web'] }, { credentials: alice }),
    ).rejects.toMatchObject({ name: 'InputError', message: 'bad names' });
    await expect(
      client(() =>
        json({ error: { message: 'down' } }, 503),
      ).hosts.resolveHosts({ tags: ['web'] }, { credentials: alice }),
    ).rejects.toThrow(/503/);
  });
});

describe('catalogHostsServiceFactory (test kit)', () => {
  it('resolves hosts over the test backend catalog', async () => {
    let hosts: HostsService | undefined;
    await startTestBackend({
      features: [
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Resource',
              metadata: { name: 'web-01', namespace: 'default', tags: ['web'] },
              spec: { type: 'host', address: '10.0.0.1', owner: 'ops' },
            },
          ],
        }),
        catalogHostsServiceFactory,
        createBackendPlugin({
          pluginId: 'consumer',
          register(env) {
            env.registerInit({
              deps: { hosts: hostsServiceRef },
              async init(deps) {
                hosts = deps.hosts;
              },
            });
          },
        }),
      ],
    });
    const credentials: BackstageCredentials = mockCredentials.user();
    expect(
      (await hosts!.resolveHosts({ tags: ['web'] }, { credentials })).map(
        h => h.entityRef,
      ),
    ).toEqual(['resource:default/web-01']);
    expect((await hosts!.getHost('web-01', { credentials }))?.owner).toBe(
      'group:default/ops',
    );
  });
});
