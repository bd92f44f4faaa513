import type { Entity } from '@backstage/catalog-model';

/**
 * Catalog entities shaped like the demo catalog's (examples/entities.yaml):
 * hosts and databases are `kind: Resource` with opsdeck's spec fields and the
 * `opsdeck.io/environment` label. The pickers' tests feed these to an
 * in-memory catalog client.
 */
function host(
  name: string,
  environment: string,
  system: string,
  port: number,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      title: name,
      description: `${environment} host in ${system}`,
      labels: { 'opsdeck.io/environment': environment },
      tags: ['app'],
    },
    spec: {
      type: 'host',
      address: '127.0.0.1',
      port,
      loginUser: 'opsdeck',
      credential: 'ops-ssh',
      environment,
      owner: 'ops',
      system,
    },
  };
}

function datastore(
  name: string,
  type: 'database' | 'cache',
  engine: string,
  environment: string,
  system: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      description: `${engine} ${type} for ${system}`,
      labels: {
        'opsdeck.io/environment': environment,
        'opsdeck.io/engine': engine,
      },
    },
    spec: {
      type,
      engine,
      address: '127.0.0.1',
      port: 55432,
      credential: `${name}-admin`,
      environment,
      owner: type === 'database' ? 'dba' : 'ops',
      system,
    },
  };
}

export const demoCatalog: Entity[] = [
  host('pay-app-01', 'prod', 'payments', 22301),
  host('web-01', 'prod', 'storefront', 22303),
  host('web-02', 'staging', 'storefront', 22304),
  host('build-01', 'dev', 'platform', 22306),
  // a host registered elsewhere that only carries the environment label
  (() => {
    const labelled = host('legacy-01', 'staging', 'platform', 22305);
    delete (labelled.spec as Record<string, unknown>).environment;
    return labelled;
  })(),
  datastore('pay-db-main', 'database', 'postgresql', 'prod', 'payments'),
  datastore('shop-db', 'database', 'mysql', 'staging', 'storefront'),
  datastore('session-cache', 'cache', 'redis', 'prod', 'storefront'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'dev',
      system: 'payments',
    },
  },
];
