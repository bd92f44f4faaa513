import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { JsonValue } from '@backstage/types';
import { entityOwnerRef, ownsEntity } from './ownership';

const component = (owner: JsonValue, namespace?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'api', ...(namespace ? { namespace } : {}) },
  spec: { type: 'service', lifecycle: 'production', owner },
});

describe('entityOwnerRef', () => {
  it.each([
    ['payments', undefined, 'group:default/payments'],
    ['Group:Default/Payments', undefined, 'group:default/payments'],
    ['payments', 'shop', 'group:shop/payments'],
    ['user:default/bob', undefined, 'user:default/bob'],
    ['', undefined, undefined],
    [42, undefined, undefined],
    ['group:default/', undefined, undefined],
  ])('%j in %s → %s', (owner, namespace, expected) => {
    expect(entityOwnerRef(component(owner, namespace))).toBe(expected);
  });
});

describe('ownsEntity', () => {
  const userInfo = mockServices.userInfo({
    ownershipEntityRefs: ['user:default/dave', 'group:default/Payments'],
  });

  it('is true for an entity owned by one of the person’s groups, in any case', async () => {
    const dave = mockCredentials.user('user:default/dave');
    expect(await ownsEntity(userInfo, dave, component('payments'))).toBe(true);
    expect(
      await ownsEntity(userInfo, dave, component('user:default/dave')),
    ).toBe(true);
  });

  it('is false for another group, no owner, or a service', async () => {
    const dave = mockCredentials.user('user:default/dave');
    expect(await ownsEntity(userInfo, dave, component('shop'))).toBe(false);
    expect(await ownsEntity(userInfo, dave, component(''))).toBe(false);
    expect(
      await ownsEntity(
        userInfo,
        mockCredentials.service(),
        component('payments'),
      ),
    ).toBe(false);
  });
});
