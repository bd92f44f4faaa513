import { Entity } from '@backstage/catalog-model';
import { docsPath, runbookSources, runbooksFromSearchIndex } from './runbooks';

const host: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'pay-app-01',
    namespace: 'default',
    annotations: {
      'opsdeck.io/runbooks':
        'storefront-web, component:default/Payments-API, component:',
    },
  },
  relations: [
    { type: 'dependencyOf', targetRef: 'component:default/payments-api' },
    { type: 'ownedBy', targetRef: 'group:default/ops' },
  ],
};

describe('runbookSources', () => {
  it('takes own docs, the annotation and dependents, once each', () => {
    expect(runbookSources(host)).toEqual([
      { kind: 'component', namespace: 'default', name: 'storefront-web' },
      { kind: 'component', namespace: 'default', name: 'payments-api' },
    ]);
    const documented: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-api',
        annotations: { 'backstage.io/techdocs-ref': 'dir:.' },
      },
    };
    expect(runbookSources(documented)).toEqual([
      { kind: 'component', namespace: 'default', name: 'payments-api' },
    ]);
  });
});

describe('runbooksFromSearchIndex', () => {
  it('lists the pages under runbooks/, not their sections', () => {
    const ref = {
      kind: 'component',
      namespace: 'default',
      name: 'payments-api',
    };
    const runbooks = runbooksFromSearchIndex(ref, {
      docs: [
        { location: '', title: 'Payments API' },
        { location: 'runbooks/disk-full/', title: 'Disk full on an app host' },
        { location: 'runbooks/disk-full/#steps', title: 'Steps' },
        { location: 'runbooks/restart/', title: 'Restart the payments API' },
        { location: 'runbooks/', title: 'Runbooks' },
      ],
    });
    expect(runbooks).toEqual([
      {
        entityRef: 'component:default/payments-api',
        title: 'Disk full on an app host',
        location: 'runbooks/disk-full/',
        path: '/docs/default/component/payments-api/runbooks/disk-full/',
      },
      {
        entityRef: 'component:default/payments-api',
        title: 'Restart the payments API',
        location: 'runbooks/restart/',
        path: '/docs/default/component/payments-api/runbooks/restart/',
      },
    ]);
    expect(docsPath(ref)).toBe('/docs/default/component/payments-api/');
  });
});
