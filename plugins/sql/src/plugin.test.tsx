import type { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  createExtensionTester,
  mockApis,
} from '@backstage/frontend-test-utils';
import { connectionCard, isDatabaseEntity } from './plugin';

const database: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'pay-db-main', namespace: 'default' },
  spec: { type: 'database', engine: 'postgresql' },
};

describe('database connection card extension', () => {
  it('is shown only for Resource entities of type database or cache', () => {
    expect(isDatabaseEntity(database)).toBe(true);
    expect(
      isDatabaseEntity({
        ...database,
        spec: { type: 'cache', engine: 'redis' },
      }),
    ).toBe(true);
    expect(isDatabaseEntity({ ...database, spec: { type: 'host' } })).toBe(
      false,
    );
    expect(isDatabaseEntity({ ...database, kind: 'Component' })).toBe(false);
    expect(isDatabaseEntity({ ...database, spec: undefined })).toBe(false);

    const tester = createExtensionTester(connectionCard, {
      apis: [mockApis.translation()],
    });
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter!(database)).toBe(true);
    expect(filter!({ ...database, spec: { type: 'host' } })).toBe(false);
  });
});
