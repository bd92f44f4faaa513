import type { PermissionsService } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type { HostSelector } from '@opsdeck/plugin-cmdb-common';
import { OpsdeckPermissionPolicy } from '@opsdeck/plugin-permission-backend-module-opsdeck-policy';
import { syncCatalogHosts } from '../catalog/syncCatalogHosts';
import { DatabaseHostStore } from '../database/DatabaseHostStore';
import { newHostRecord } from '../model/hosts';
import { entityVisible, HostResolver } from './HostResolver';
import { indexEntity } from './indexEntity';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

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

// the table of cmdb-node's catalog test kit: the index means the same
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
  entity('bare-01', { owner: 'ops' }, { tags: ['web'] }),
  entity('pg-01', { type: 'database', address: '10.0.0.9', owner: 'ops' }),
  entity('web-03', { address: '10.0.0.8', owner: 'ops' }, {}, 'Component'),
];

const allow: PolicyDecision = { result: AuthorizeResult.ALLOW };

function permissionsDeciding(
  decide: (credentials: any) => Promise<PolicyDecision> | PolicyDecision,
) {
  const authorizeConditional = jest.fn(
    async (_requests: unknown[], { credentials }: { credentials: any }) => [
      await decide(credentials),
    ],
  );
  return {
    authorizeConditional,
    authorize: jest.fn(),
  } as unknown as PermissionsService & {
    authorizeConditional: typeof authorizeConditional;
  };
}

const alice = mockCredentials.user('user:default/alice');

describe.each(databases.eachSupportedId())('HostResolver (%s)', id => {
  async function setup(decide = async (_c: any) => allow) {
    const knex = await databases.init(id);
    const store = await DatabaseHostStore.create({
      database: mockServices.database({ knex }),
    });
    await syncCatalogHosts({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      store,
      logger: mockServices.logger.mock(),
    });
    const permissions = permissionsDeciding(decide);
    const resolver = new HostResolver({ store, permissions });
    return { store, resolver, permissions };
  }

  it('means what the catalog resolution meant', async () => {
    const { resolver } = await setup();
    const cases: [HostSelector, string[]][] = [
      [{ names: ['web-01', 'resource:default/db-01'] }, ['db-01', 'web-01']],
      [{ names: ['WEB-01'] }, ['web-01']],
      [{ names: ['resource:other/web-01'] }, []],
      [{ owner: 'ops' }, ['web-01', 'web-02']],
      [{ owner: 'group:ops', tags: ['WEB'] }, ['web-01', 'web-02']],
      [{ system: 'shop' }, ['db-01', 'web-01']],
      [{ environment: 'prod' }, ['web-01', 'web-02']],
      [{ environment: 'staging' }, ['db-01']],
      [{ tags: ['linux', 'web'] }, ['web-01']],
      [{ tags: ['linux'] }, ['db-01', 'web-01']],
      [{ names: ['web-01'], owner: 'dba' }, []],
      [{ names: ['bare-01', 'pg-01', 'web-03'] }, []],
    ];
    for (const [selector, expected] of cases) {
      const names = (await resolver.resolve(selector, alice)).map(h => h.name);
      expect({ selector, names }).toEqual({ selector, names: expected });
    }
    expect(await resolver.resolve({ names: ['web-02'] }, alice)).toEqual([
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
    await expect(resolver.resolve({}, alice)).rejects.toThrow(
      /at least one of/,
    );
  });

  it('resolves a host registered a moment ago, before the catalog has it', async () => {
    const { store, resolver } = await setup();
    await store.insert(
      newHostRecord({
        name: 'new-01',
        address: '10.0.1.1',
        environment: 'prod',
        owner: 'ops',
        tags: ['Fresh'],
      }),
    );
    expect(
      (await resolver.resolve({ tags: ['fresh'] }, alice)).map(
        h => h.entityRef,
      ),
    ).toEqual(['resource:default/new-01']);
    expect(
      (await resolver.resolve({ environment: 'prod' }, alice)).map(h => h.name),
    ).toEqual(['new-01', 'web-01', 'web-02']);
  });

  it("asks the catalog's read decision with the caller's credentials", async () => {
    const { resolver, permissions } = await setup();
    await resolver.resolve({ owner: 'ops' }, alice);
    expect(permissions.authorizeConditional).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({ name: 'catalog.entity.read' }),
        },
      ],
      { credentials: alice },
    );
  });

  it('sees no host when the catalog read is denied', async () => {
    const { resolver } = await setup(async () => ({
      result: AuthorizeResult.DENY,
    }));
    expect(await resolver.resolve({ owner: 'ops' }, alice)).toEqual([]);
  });

  it('applies conditional catalog decisions to each host', async () => {
    const owned = await setup(async () => ({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: { claims: ['group:default/dba'] },
      },
    }));
    expect(
      (await owned.resolver.resolve({ tags: ['linux'] }, alice)).map(
        h => h.name,
      ),
    ).toEqual(['db-01']);

    const labelled = await setup(async () => ({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        not: {
          rule: 'HAS_LABEL',
          resourceType: 'catalog-entity',
          params: { label: 'opsdeck.io/environment', value: 'prod' },
        },
      },
    }));
    expect(
      (await labelled.resolver.resolve({ tags: ['linux'] }, alice)).map(
        h => h.name,
      ),
    ).toEqual(['db-01']);
  });

  it('hides every host for conditions it cannot evaluate', async () => {
    for (const decision of [
      {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          not: {
            rule: 'NO_SUCH_RULE',
            resourceType: 'catalog-entity',
            params: {},
          },
        },
      },
      {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'other',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'IS_ENTITY_KIND',
          resourceType: 'catalog-entity',
          params: { kinds: ['resource'] },
        },
      },
    ] as PolicyDecision[]) {
      const { resolver } = await setup(async () => decision);
      expect(await resolver.resolve({ owner: 'ops' }, alice)).toEqual([]);
    }
  });

  it("keeps the opsdeck policy's semantics for every demo role", async () => {
    const memberships: Record<string, string[]> = {
      alice: ['admins', 'ops'],
      bob: ['ops'],
      carol: ['dba'],
      dave: ['dev'],
      erin: ['security'],
      victor: [],
      mallory: ['contractors'],
    };
    const policy = OpsdeckPermissionPolicy.fromConfig(
      new ConfigReader({
        opsdeck: {
          roles: {
            admin: ['group:default/admins'],
            ops: ['group:default/ops'],
            dba: ['group:default/dba'],
            dev: ['group:default/dev'],
            viewer: ['group:default/security'],
          },
        },
      }),
      {
        userInfo: {
          getUserInfo: async (credentials: any) => {
            const ref: string = credentials.principal.userEntityRef;
            const name = ref.replace('user:default/', '');
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [
                ref,
                ...memberships[name].map(g => `group:default/${g}`),
              ],
            };
          },
        },
      },
    );
    const { resolver } = await setup(async credentials =>
      policy.handle(
        {
          permission: {
            type: 'resource',
            name: 'catalog.entity.read',
            attributes: { action: 'read' },
            resourceType: 'catalog-entity',
          },
        },
        { credentials, info: undefined as any },
      ),
    );
    const seen: Record<string, string[]> = {};
    for (const user of Object.keys(memberships)) {
      seen[user] = (
        await resolver.resolve(
          { tags: ['web'] },
          mockCredentials.user(`user:default/${user}`),
        )
      ).map(h => h.name);
    }
    // hosts carry connection fields: opsdeck.cmdb.host.read decides
    expect(seen).toEqual({
      alice: ['web-01', 'web-02'],
      bob: ['web-01', 'web-02'],
      carol: ['web-01', 'web-02'],
      dave: ['web-01', 'web-02'],
      erin: ['web-01', 'web-02'],
      victor: [],
      mallory: [],
    });
  });
});

describe('indexEntity', () => {
  it('derives the relations the catalog derives', () => {
    const e = indexEntity({
      ...newHostRecord({
        name: 'h1',
        address: '10.0.0.1',
        environment: 'dev',
        owner: 'ops',
        system: 'shop',
        tags: [],
      }),
    });
    expect(e.relations).toEqual([
      { type: 'ownedBy', targetRef: 'group:default/ops' },
      { type: 'partOf', targetRef: 'system:default/shop' },
    ]);
    expect(entityVisible(allow, e)).toBe(true);
    expect(entityVisible({ result: AuthorizeResult.DENY }, e)).toBe(false);
  });
});
