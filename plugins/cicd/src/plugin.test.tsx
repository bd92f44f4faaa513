import type { Entity } from '@backstage/catalog-model';
import { hasJenkinsJobs } from './plugin';

describe('CI/CD tab extension', () => {
  it('is shown only for entities naming Jenkins jobs or taking intake builds', () => {
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'shop',
        annotations: { 'jenkins.io/job-full-name': 'main:shop/web' },
      },
    };
    expect(hasJenkinsJobs(entity)).toBe(true);
    expect(hasJenkinsJobs({ ...entity, metadata: { name: 'x' } })).toBe(false);
    expect(
      hasJenkinsJobs({
        ...entity,
        metadata: {
          name: 'x',
          annotations: { 'opsdeck.io/ci-intake': 'gitlab' },
        },
      }),
    ).toBe(true);
  });
});
