import type { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  FixtureCluster,
  type RecordedRequest,
} from '../testUtils/FixtureCluster';
import {
  as,
  clusterResource,
  COMPONENTS,
  startKubernetesBackend,
} from './testBackend';

/** The module's workload-actions API. */
export const ACTIONS_API = '/api/kubernetes/opsdeck';

/** The catalog's names for the one fixture cluster: staging and prod. */
export const TEST_CLUSTERS = [
  { name: 'k8s-test', environment: 'staging' },
  { name: 'k8s-prod', environment: 'prod' },
];

export interface ActionsFixture {
  /** The fixture cluster (with `freshCluster`, a new one in each test). */
  readonly cluster: FixtureCluster;
  /** Its URL (the same port all along). */
  readonly url: string;
  readonly backend: Awaited<ReturnType<typeof startKubernetesBackend>>;
  /** POSTs to the actions API as `user` (none: without credentials). */
  post(path: string, user: string | undefined, body: object): request.Test;
  /** What the cluster was asked to change (every request but GET). */
  writes(): RecordedRequest[];
}

/**
 * The setup of the workload-action tests, as jest hooks of the calling
 * describe block: one fixture cluster that accepts `token`, named in the
 * catalog by `clusters` (default TEST_CLUSTERS) with the token in the vault as
 * `<name>-token`, the demo components plus `entities`, and one kubernetes
 * backend. Before each test the cluster's recorded requests and the backend's
 * vault uses, audit events and registry resolutions are cleared; with
 * `freshCluster` the cluster is replaced by a new one on the same port (the
 * objects as the fixture starts them).
 */
export function useActionsFixture(
  token: string,
  options: {
    clusters?: { name: string; environment: string }[];
    entities?: Entity[];
    freshCluster?: boolean;
    /** Rollout reads one person may make per minute (default the module's). */
    rolloutReadsPerMinute?: number;
  } = {},
): ActionsFixture {
  const clusters = options.clusters ?? TEST_CLUSTERS;
  let cluster = new FixtureCluster(token);
  let url: string;
  let backend: ActionsFixture['backend'];

  // The official Kubernetes client is required at the first rollback or rollout read
  // (#15). With a cold Jest transform that load blocks the process for several seconds,
  // mid-request: the fixture cluster then drops the idle keep-alive connection the
  // next request reuses (a 500 in a fresh clone). Load it before the tests, as a
  // running backend has long done by the time a request comes.
  beforeAll(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../clusters/officialClient');
  }, 120_000);

  beforeAll(async () => {
    url = await cluster.start();
    backend = await startKubernetesBackend({
      rolloutReadsPerMinute: options.rolloutReadsPerMinute,
      entities: [
        ...clusters.map(c =>
          clusterResource(c.name, url, { environment: c.environment }),
        ),
        ...COMPONENTS,
        ...(options.entities ?? []),
      ],
      secrets: Object.fromEntries(
        clusters.map(c => [
          `${c.name}-token`,
          { type: 'password' as const, password: token },
        ]),
      ),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await cluster.stop();
  });

  beforeEach(async () => {
    if (options.freshCluster) {
      await cluster.stop();
      cluster = new FixtureCluster(token);
      await cluster.start(Number(new URL(url).port));
    }
    cluster.requests.length = 0;
    backend.vaultUses.length = 0;
    backend.events.length = 0;
    backend.resolutions.length = 0;
  });

  return {
    get cluster() {
      return cluster;
    },
    get url() {
      return url;
    },
    get backend() {
      return backend;
    },
    post(path, user, body) {
      const req = request(backend.server).post(`${ACTIONS_API}${path}`);
      return (user ? req.set('Authorization', as(user)) : req).send(body);
    },
    writes: () => cluster.requests.filter(r => r.method !== 'GET'),
  };
}
