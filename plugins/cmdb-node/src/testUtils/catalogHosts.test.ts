import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  catalogHostsService,
  resolveCatalogHosts as resolveHosts,
} from './catalogHosts';

const getHost = (catalog: any, name: string, credentials: any) =>
  catalogHostsService(catalog).getHost(name, { credentials });

function entity(
  name: string,
  spec: Record<string, unknown>,
  metadata: Partial<Entity['metadata']> = {},
  kind = 'Resource',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', ...metadata },
    spec: { type: 'host', ...spec },
  };
}

const entities: Entity[] = [
  entity(
    'web-01',
    { address: '10.0.0.1', owner: 'ops', system: 'shop', environment: 'prod' },
    { tags: ['web', 'linux'] },
  ),
  entity(
    'web-02',
    { address: '10.0.0.2', port: 2222, owner: 'group:default/ops' },
    { tags: ['web'], labels: { 'opsdeck.io/environment': 'prod' } },
  ),
  entity(
    'db-01',
    { address: '10.0.0.3', owner: 'dba', system: 'system:default/shop' },
    { tags: ['db', 'linux'], labels: { 'opsdeck.io/environment': 'staging' } },
  ),
  // not usable hosts: no address, another type, another kind
  entity('bare-01', { owner: 'ops' }, { tags: ['web'] }),
  entity('pg-01', { type: 'database', address: '10.0.0.9', owner: 'ops' }),
  entity('web-03', { address: '10.0.0.8', owner: 'ops' }, {}, 'Component'),
];

const catalog = catalogServiceMock({ entities });
const credentials = mockCredentials.user('user:default/alice');
const names = async (selector: Parameters<typeof resolveHosts>[1]) =>
  (await resolveHosts(catalog, selector, credentials)).map(h => h.name);

describe('the catalog host service of the test kit', () => {
  it.each([
    [{ names: ['web-01', 'resource:default/db-01'] }, ['db-01', 'web-01']],
    [{ owner: 'ops' }, ['web-01', 'web-02']],
    [{ owner: 'group:ops', tags: ['WEB'] }, ['web-01', 'web-02']],
    [{ system: 'shop' }, ['db-01', 'web-01']],
    [{ environment: 'prod' }, ['web-01', 'web-02']],
    [{ environment: 'staging' }, ['db-01']],
    [{ tags: ['linux', 'web'] }, ['web-01']],
    [{ tags: ['linux'] }, ['db-01', 'web-01']],
    [{ names: ['web-01'], owner: 'dba' }, []],
    [{ names: ['bare-01', 'pg-01', 'web-03'] }, []],
  ])('%j → %j', async (selector, expected) => {
    expect(await names(selector)).toEqual(expected);
  });

  it('gives SSH targets', async () => {
    expect(
      await resolveHosts(catalog, { names: ['web-02'] }, credentials),
    ).toEqual([
      {
        name: 'web-02',
        entityRef: 'resource:default/web-02',
        address: '10.0.0.2',
        port: 2222,
        owner: 'group:default/ops',
        environment: 'prod',
        tags: ['web'],
      },
    ]);
  });

  it('refuses a selector without criteria', async () => {
    await expect(resolveHosts(catalog, {}, credentials)).rejects.toThrow(
      /at least one of/,
    );
    await expect(
      resolveHosts(catalog, { names: [], tags: [] }, credentials),
    ).rejects.toThrow(/at least one of/);
  });

  it('reads the catalog with the caller credentials', async () => {
    const getEntities = jest.fn(catalog.getEntities.bind(catalog));
    await resolveHosts(
      { ...catalog, getEntities } as typeof catalog,
      { owner: 'ops' },
      credentials,
    );
    expect(getEntities).toHaveBeenCalledWith(expect.anything(), {
      credentials,
    });
  });

  it('gets one host by name or ref', async () => {
    expect((await getHost(catalog, 'web-01', credentials))?.address).toBe(
      '10.0.0.1',
    );
    expect(await getHost(catalog, 'bare-01', credentials)).toBeUndefined();
    expect(await getHost(catalog, 'a:b:c', credentials)).toBeUndefined();
  });
});
