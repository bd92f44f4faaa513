import type { Entity } from '@backstage/catalog-model';
import {
  hostFromEntity,
  selectorMatches,
  selectorToCatalogFilter,
  unmatchedNames,
  type HostSelector,
} from './hosts';

function host(
  name: string,
  spec: Record<string, unknown>,
  metadata: Partial<Entity['metadata']> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', ...metadata },
    spec: { type: 'host', address: `${name}.example`, ...spec },
  };
}

const web01 = hostFromEntity(
  host(
    'web-01',
    { owner: 'ops', system: 'shop', environment: 'prod' },
    { tags: ['Web', 'linux'] },
  ),
)!;
const db01 = hostFromEntity(
  host(
    'db-01',
    { owner: 'group:default/dba', system: 'system:default/Shop' },
    { tags: ['db'], labels: { 'opsdeck.io/environment': 'staging' } },
  ),
)!;
const other = hostFromEntity(
  host('web-01', { owner: 'ops' }, { namespace: 'lab' }),
)!;

describe('selectorMatches', () => {
  const cases: Array<[string, HostSelector, string[]]> = [
    ['empty selector matches nothing', {}, []],
    ['empty lists match nothing', { names: [], tags: [] }, []],
    ['a bare name is the default namespace', { names: ['web-01'] }, ['web-01']],
    [
      'a full ref names another namespace',
      { names: ['resource:lab/web-01'] },
      ['lab/web-01'],
    ],
    ['names are any of', { names: ['WEB-01', 'db-01'] }, ['web-01', 'db-01']],
    ['owner by bare name', { owner: 'ops' }, ['web-01']],
    ['owner by group: ref', { owner: 'group:ops' }, ['web-01']],
    ['owner by full ref, any case', { owner: 'group:default/DBA' }, ['db-01']],
    [
      'owner in another namespace by full ref',
      { owner: 'group:lab/ops' },
      ['lab/web-01'],
    ],
    ['system, bare or full, any case', { system: 'SHOP' }, ['web-01', 'db-01']],
    ['environment from spec', { environment: 'prod' }, ['web-01']],
    [
      'environment from the opsdeck.io/environment label',
      { environment: 'staging' },
      ['db-01'],
    ],
    ['tags: every one, any case', { tags: ['web', 'LINUX'] }, ['web-01']],
    ['tags: one missing excludes', { tags: ['web', 'db'] }, []],
    [
      'every given field must match',
      { system: 'shop', environment: 'staging', owner: 'ops' },
      [],
    ],
    ['not a ref matches nothing', { names: ['a:b:c/d'] }, []],
  ];
  const all = { 'web-01': web01, 'db-01': db01, 'lab/web-01': other };
  it.each(cases)('%s', (_, selector, expected) => {
    const matched = Object.entries(all)
      .filter(([, h]) => selectorMatches(selector, h))
      .map(([k]) => k);
    expect(matched.sort()).toEqual([...expected].sort());
  });
});

describe('hostFromEntity', () => {
  it('maps a host entity to its SSH target with normalised refs', () => {
    expect(
      hostFromEntity(
        host(
          'app-01',
          {
            owner: 'ops',
            system: 'shop',
            port: 2222,
            loginUser: 'deploy',
            credential: 'app-key',
          },
          { namespace: 'lab', tags: ['App'] },
        ),
      ),
    ).toEqual({
      name: 'app-01',
      entityRef: 'resource:lab/app-01',
      address: 'app-01.example',
      port: 2222,
      loginUser: 'deploy',
      credential: 'app-key',
      owner: 'group:lab/ops',
      system: 'system:lab/shop',
      tags: ['app'],
    });
  });

  it('is undefined for what is not a usable host', () => {
    expect(hostFromEntity(host('x', { address: '' }))).toBeUndefined();
    expect(hostFromEntity(host('x', { type: 'database' }))).toBeUndefined();
    expect(
      hostFromEntity({ ...host('x', {}), kind: 'Component' }),
    ).toBeUndefined();
  });
});

describe('selectorToCatalogFilter and unmatchedNames', () => {
  it('narrows by name and first tag', () => {
    expect(
      selectorToCatalogFilter({
        names: ['web-01', 'resource:lab/web-01'],
        tags: ['web', 'linux'],
      }),
    ).toEqual({
      kind: 'Resource',
      'spec.type': 'host',
      'metadata.name': ['web-01'],
      'metadata.tags': 'web',
    });
  });

  it('lists the names no host answered', () => {
    expect(
      unmatchedNames({ names: ['web-01', 'gone', 'db-01'] }, [web01, other]),
    ).toEqual(['gone', 'db-01']);
  });
});
