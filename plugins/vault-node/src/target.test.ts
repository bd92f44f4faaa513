import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  normalizeGroupRef,
  secretTarget,
  secretTargetOf,
  secretTargetsFromCatalog,
} from './target';

const host = (
  name: string,
  spec: Record<string, unknown>,
  extra: Partial<Entity['metadata']> = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', ...extra },
  spec: { type: 'host', ...spec },
});

describe('secretTargetOf', () => {
  it('reads owner, system and environment as full refs from the entity', () => {
    expect(
      secretTargetOf(
        host('Web-01', {
          owner: 'Ops',
          system: 'shop',
          environment: 'prod',
        }),
      ),
    ).toEqual({
      ref: 'resource:default/web-01',
      owner: 'group:default/ops',
      system: 'system:default/shop',
      environment: 'prod',
    });
  });

  it('falls back to the environment label and resolves refs in the entity namespace', () => {
    expect(
      secretTargetOf(
        host(
          'db-1',
          { owner: 'user:default/carol', system: 'system:pay' },
          {
            namespace: 'finance',
            labels: { 'opsdeck.io/environment': 'staging' },
          },
        ),
      ),
    ).toEqual({
      ref: 'resource:finance/db-1',
      owner: 'user:default/carol',
      system: 'system:finance/pay',
      environment: 'staging',
    });
  });

  it('leaves out what the entity does not say', () => {
    expect(secretTargetOf(host('bare', {}))).toEqual({
      ref: 'resource:default/bare',
    });
  });
});

describe('secretTarget', () => {
  it('normalises stored fields like the entity reader does', () => {
    expect(
      secretTarget({
        ref: 'resource:default/web-01',
        owner: 'ops',
        system: 'shop',
        environment: 'prod',
      }),
    ).toEqual(
      secretTargetOf(
        host('web-01', { owner: 'ops', system: 'shop', environment: 'prod' }),
      ),
    );
    expect(secretTarget({ ref: 'job:42', owner: '' })).toEqual({
      ref: 'job:42',
    });
  });
});

describe('normalizeGroupRef', () => {
  it('gives the canonical group ref or undefined', () => {
    expect(normalizeGroupRef('ops')).toBe('group:default/ops');
    expect(normalizeGroupRef('group:Default/DBA')).toBe('group:default/dba');
    expect(normalizeGroupRef('')).toBeUndefined();
    expect(normalizeGroupRef('group:/x')).toBeUndefined();
  });
});

describe('secretTargetsFromCatalog', () => {
  it('reads each entity once; unknown refs carry no owner', async () => {
    const catalog = catalogServiceMock({
      entities: [host('web-01', { owner: 'ops', environment: 'prod' })],
    });
    const targets = await secretTargetsFromCatalog(
      catalog,
      mockCredentials.service(),
      [
        'resource:default/web-01',
        'resource:default/gone',
        'resource:default/web-01',
      ],
    );
    expect([...targets.entries()]).toEqual([
      [
        'resource:default/web-01',
        {
          ref: 'resource:default/web-01',
          owner: 'group:default/ops',
          environment: 'prod',
        },
      ],
      ['resource:default/gone', { ref: 'resource:default/gone' }],
    ]);
  });
});
