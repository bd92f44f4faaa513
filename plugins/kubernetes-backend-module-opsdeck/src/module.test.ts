import request from 'supertest';
import { FixtureCluster } from './testUtils/FixtureCluster';
import {
  COMPONENT_ID,
  NAMESPACE,
  OTHER_COMPONENT_ID,
} from './testUtils/fixtureObjects';
import {
  as,
  clusterResource,
  COMPONENTS,
  startKubernetesBackend,
  USERS,
} from './__testUtils__/testBackend';

const TOKEN = 'fixture-sa-token-3c1f9a';

describe('kubernetes backend with the opsdeck module, against the fixture cluster', () => {
  const cluster = new FixtureCluster(TOKEN);
  let backend: Awaited<ReturnType<typeof startKubernetesBackend>>;

  beforeAll(async () => {
    USERS.eve = [
      'kubernetes.clusters.read',
      'kubernetes.resources.read',
      'kubernetes.proxy',
    ];
    const url = await cluster.start();
    backend = await startKubernetesBackend({
      entities: [
        clusterResource('k8s-test', url, { environment: 'staging' }),
        // Not usable: plain http to a non-loopback host, no credential.
        clusterResource('k8s-far', 'http://k8s.example.com:6443'),
        clusterResource('k8s-nocred', url, { credential: '' }),
        ...COMPONENTS,
      ],
      secrets: {
        'k8s-test-token': { type: 'password', password: TOKEN },
      },
    });
  });

  afterAll(async () => {
    delete USERS.eve;
    await backend?.stop();
    await cluster.stop();
  });

  beforeEach(() => {
    cluster.requests.length = 0;
    backend.vaultUses.length = 0;
    backend.events.length = 0;
  });

  const names = (items: any[]) => items.map(i => i.metadata.name).sort();
  const byType = (response: any) => {
    expect(response.items).toHaveLength(1);
    const [item] = response.items;
    expect(item.errors).toEqual([]);
    return Object.fromEntries(
      item.resources.map((r: any) => [r.type, r.resources]),
    ) as Record<string, any[]>;
  };

  it('returns the workloads of a component, fetched with the vault token for the person', async () => {
    const res = await request(backend.server)
      .post('/api/kubernetes/resources/workloads/query')
      .set('Authorization', as('dave'))
      .send({ entityRef: `component:default/${COMPONENT_ID}` });
    expect(res.status).toBe(200);
    expect(res.body.items[0].cluster).toEqual({
      name: 'k8s-test',
      title: 'Cluster k8s-test',
    });
    const resources = byType(res.body);
    expect(names(resources.pods)).toEqual([
      'payments-api-7c9d5b8f6d-q9w4z',
      'payments-api-7c9d5b8f6d-x7k2p',
    ]);
    expect(names(resources.deployments)).toEqual([COMPONENT_ID]);
    expect(names(resources.replicasets)).toEqual(['payments-api-7c9d5b8f6d']);
    expect(names(resources.services)).toEqual([COMPONENT_ID]);
    expect(resources.pods[0].status.containerStatuses[0].image).toMatch(
      /payments-api:1\.8\.2$/,
    );

    // Every call reached the fixture with the vault's token, in the
    // component's namespace and with its label selector.
    expect(cluster.requests.length).toBeGreaterThanOrEqual(13);
    for (const r of cluster.requests) {
      expect(r.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.path).toContain(`/namespaces/${NAMESPACE}/`);
      expect(r.query.labelSelector).toBe(
        `backstage.io/kubernetes-id=${COMPONENT_ID}`,
      );
    }
    expect(backend.vaultUses).toEqual([
      {
        name: 'k8s-test-token',
        use: {
          use: 'kubernetes-token',
          for: {
            ref: 'resource:default/k8s-test',
            owner: 'group:default/ops',
            environment: 'staging',
          },
          actor: 'user:default/dave',
        },
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
  });

  it('answers the older services route the same way, from the catalog entity, not the body', async () => {
    const res = await request(backend.server)
      .post(`/api/kubernetes/services/${COMPONENT_ID}`)
      .set('Authorization', as('erin'))
      .send({
        entity: {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: COMPONENT_ID,
            namespace: 'default',
            // A forged selector in the body is not used: the catalog's entity is.
            annotations: { 'backstage.io/kubernetes-id': OTHER_COMPONENT_ID },
          },
        },
      });
    expect(res.status).toBe(200);
    expect(names(byType(res.body).deployments)).toEqual([COMPONENT_ID]);
    expect(backend.vaultUses.map(u => u.use.actor)).toEqual([
      'user:default/erin',
    ]);
  });

  it('never answers a secret in clear, not even asked for as a custom resource', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `${COMPONENT_ID}-db`,
        namespace: NAMESPACE,
        uid: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
        resourceVersion: '512391',
        labels: { 'backstage.io/kubernetes-id': COMPONENT_ID },
        // what `kubectl apply` leaves on the object: the whole manifest
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            apiVersion: 'v1',
            kind: 'Secret',
            stringData: { password: 'hunter2-db-pass' },
          }),
        },
      },
      type: 'Opaque',
      data: { password: Buffer.from('hunter2-db-pass').toString('base64') },
    };
    cluster.objects.push(secret);
    try {
      // the body names the core group's secrets as a "custom resource"
      for (const customResource of [
        { group: '', apiVersion: 'v1', plural: 'secrets' },
        { group: '', apiVersion: 'v1', plural: 'Secrets' },
      ]) {
        const res = await request(backend.server)
          .post('/api/kubernetes/resources/custom/query')
          .set('Authorization', as('dave'))
          .send({
            entityRef: `component:default/${COMPONENT_ID}`,
            customResources: [customResource],
          });
        expect(res.status).toBe(200);
        const text = JSON.stringify(res.body);
        expect(text).not.toContain(secret.data.password);
        expect(text).not.toContain('hunter2');
      }
      expect(cluster.requests.some(r => r.path.endsWith('/secrets'))).toBe(
        true,
      );
    } finally {
      cluster.objects.splice(cluster.objects.indexOf(secret), 1);
    }
  });

  it('gives a caller without kubernetes.resources.read nothing, and asks neither vault nor cluster', async () => {
    for (const route of [
      [
        '/api/kubernetes/resources/workloads/query',
        { entityRef: `component:default/${COMPONENT_ID}` },
      ],
      [`/api/kubernetes/services/${COMPONENT_ID}`, { entity: COMPONENTS[0] }],
    ] as const) {
      const res = await request(backend.server)
        .post(route[0])
        .set('Authorization', as('mallory'))
        .send(route[1]);
      expect(res.status).toBe(403);
      expect(res.body.items).toBeUndefined();
    }
    const anonymous = await request(backend.server)
      .post('/api/kubernetes/resources/workloads/query')
      .send({ entityRef: `component:default/${COMPONENT_ID}` });
    expect(anonymous.status).toBe(401);
    expect(cluster.requests).toEqual([]);
    expect(backend.vaultUses).toEqual([]);
  });

  it('gives a person who cannot see the component (or a cluster) in the catalog nothing', async () => {
    const res = await request(backend.server)
      .post('/api/kubernetes/resources/workloads/query')
      .set('Authorization', as('eve'))
      .send({ entityRef: `component:default/${COMPONENT_ID}` });
    expect(res.status).toBe(400);
    expect(res.body.items).toBeUndefined();
    const clusters = await request(backend.server)
      .get('/api/kubernetes/clusters')
      .set('Authorization', as('eve'));
    expect(clusters.status).toBe(200);
    expect(clusters.body.items).toEqual([]);
    expect(cluster.requests).toEqual([]);
    expect(backend.vaultUses).toEqual([]);
  });

  it('lists only usable clusters and never their credential', async () => {
    const res = await request(backend.server)
      .get('/api/kubernetes/clusters')
      .set('Authorization', as('erin'));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        name: 'k8s-test',
        title: 'Cluster k8s-test',
        authProvider: 'serviceAccount',
      },
    ]);
    expect(backend.vaultUses).toEqual([]);
  });

  describe('proxy', () => {
    const [p1, p2] = [
      'payments-api-7c9d5b8f6d-x7k2p',
      'payments-api-7c9d5b8f6d-q9w4z',
    ];
    const logPath = (pod: string) =>
      `/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/pods/${pod}/log`;

    it('reads current and previous container logs with the vault token', async () => {
      const current = await request(backend.server)
        .get(logPath(p1))
        .query({ container: 'api' })
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(current.status).toBe(200);
      expect(current.text).toContain('listening on :8080');
      // The kubernetes frontend asks for the previous container with an empty value.
      const previous = await request(backend.server)
        .get(`${logPath(p1)}?container=api&previous=`)
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(previous.status).toBe(200);
      expect(previous.text).toContain('JavaScript heap out of memory');
      const none = await request(backend.server)
        .get(`${logPath(p2)}?container=api&previous=true`)
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(none.status).toBe(400);
      expect(none.body.message).toBe(
        `previous terminated container "api" in pod "${p2}" not found`,
      );
      // Each read looks the pod up first (whose component is it?), then reads the log.
      const podPath = (pod: string) =>
        `/api/v1/namespaces/${NAMESPACE}/pods/${pod}`;
      expect(
        cluster.requests.map(r => [r.method, r.path, r.authorization]),
      ).toEqual(
        [p1, p1, p2].flatMap(pod => [
          ['GET', podPath(pod), `Bearer ${TOKEN}`],
          ['GET', `${podPath(pod)}/log`, `Bearer ${TOKEN}`],
        ]),
      );
      expect(
        cluster.requests.filter(r => r.path.endsWith('/log')).map(r => r.query),
      ).toEqual([
        { container: 'api' },
        { container: 'api', previous: '' },
        { container: 'api', previous: 'true' },
      ]);
      expect(backend.vaultUses.map(u => u.use.actor)).toEqual([
        'user:default/dave',
        'user:default/dave',
        'user:default/dave',
      ]);
    });

    it('reads the events of an object', async () => {
      const res = await request(backend.server)
        .get(`/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/events`)
        .query({ fieldSelector: `involvedObject.name=${p1}` })
        .set('Authorization', as('bob'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(res.status).toBe(200);
      expect(res.body.kind).toBe('EventList');
      expect(res.body.items.map((e: any) => e.reason).sort()).toEqual([
        'OOMKilling',
        'Started',
      ]);
    });

    it('refuses writes, exec and other reads through the proxy before the cluster is asked', async () => {
      const attempts = [
        request(backend.server).delete(
          `/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/pods/${p1}`,
        ),
        request(backend.server).get(
          `/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/secrets`,
        ),
        request(backend.server)
          .patch(
            `/api/kubernetes/proxy/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${COMPONENT_ID}`,
          )
          .send({ spec: { replicas: 0 } }),
        request(backend.server).post(
          `/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/pods/${p1}/exec?command=sh`,
        ),
        request(backend.server).get(
          `/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/pods/${p1}/log/../../../secrets`,
        ),
      ];
      for (const attempt of attempts) {
        const res = await attempt
          .set('Authorization', as('alice'))
          .set('Backstage-Kubernetes-Cluster', 'k8s-test');
        expect(res.status).toBe(403);
      }
      expect(cluster.requests).toEqual([]);
      expect(backend.vaultUses).toEqual([]);
    });

    it('uses the vault token, never one the browser sends', async () => {
      const res = await request(backend.server)
        .get(logPath(p1))
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test')
        .set('Backstage-Kubernetes-Authorization', 'Bearer stolen');
      expect(res.status).toBe(200);
      expect(cluster.requests.map(r => r.authorization)).toEqual([
        `Bearer ${TOKEN}`,
        `Bearer ${TOKEN}`,
      ]);
    });

    it('refuses the logs of a pod whose component the person cannot see', async () => {
      const web = cluster.pods(OTHER_COMPONENT_ID)[0].metadata.name;
      const dave = await request(backend.server)
        .get(logPath(web))
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(dave.status).toBe(403);
      expect(dave.body.error.message).toBe(
        `Pod ${web} belongs to no component you can see`,
      );
      expect(cluster.requests.map(r => r.path)).toEqual([
        `/api/v1/namespaces/${NAMESPACE}/pods/${web}`,
      ]);
      expect(
        backend.events.find(e => e.eventId === 'kubernetes-log-read'),
      ).toMatchObject({ status: 'failed' });
      // bob (ops) sees it.
      const bob = await request(backend.server)
        .get(logPath(web))
        .set('Authorization', as('bob'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(bob.status).toBe(200);
    });

    it("refuses a namespace's events, and a pod's events whose component the person cannot see", async () => {
      const eventsPath = `/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/events`;
      // the whole namespace (other teams' workloads), or any other selector: refused unasked
      for (const query of [
        {},
        { fieldSelector: 'type=Warning' },
        { fieldSelector: `involvedObject.name=${p1},type=Warning` },
        { fieldSelector: 'involvedObject.name!=x' },
      ]) {
        const res = await request(backend.server)
          .get(eventsPath)
          .query(query)
          .set('Authorization', as('dave'))
          .set('Backstage-Kubernetes-Cluster', 'k8s-test');
        expect(res.status).toBe(403);
      }
      expect(cluster.requests).toEqual([]);
      const web = cluster.pods(OTHER_COMPONENT_ID)[0].metadata.name;
      const dave = await request(backend.server)
        .get(eventsPath)
        .query({ fieldSelector: `involvedObject.name=${web}` })
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(dave.status).toBe(403);
      expect(dave.body.error.message).toBe(
        `Pod ${web} belongs to no component you can see`,
      );
      // only the pod was looked up: the events were never read
      expect(cluster.requests.map(r => r.path)).toEqual([
        `/api/v1/namespaces/${NAMESPACE}/pods/${web}`,
      ]);
      const own = await request(backend.server)
        .get(eventsPath)
        .query({ fieldSelector: `involvedObject.name=${p1}` })
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(own.status).toBe(200);
    });

    it('answers 404 for an unknown cluster or pod', async () => {
      const unknown = await request(backend.server)
        .get(logPath(p1))
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-far');
      expect(unknown.status).toBe(404);
      const gone = await request(backend.server)
        .get(logPath('payments-api-gone'))
        .set('Authorization', as('dave'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(gone.status).toBe(404);
      expect(gone.body.error.message).toBe(
        'pods "payments-api-gone" not found',
      );
    });

    it('gives logs to no one without kubernetes.proxy, nor to an anonymous caller', async () => {
      const viewer = await request(backend.server)
        .get(logPath(p1))
        .set('Authorization', as('erin'))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(viewer.status).toBe(403);
      const anonymous = await request(backend.server)
        .get(logPath(p1))
        .set('Backstage-Kubernetes-Cluster', 'k8s-test');
      expect(anonymous.status).toBe(401);
      expect(cluster.requests).toEqual([]);
    });
  });
});

describe('a cluster the vault gives no token for', () => {
  const cluster = new FixtureCluster(TOKEN);
  let backend: Awaited<ReturnType<typeof startKubernetesBackend>>;

  beforeAll(async () => {
    const url = await cluster.start();
    backend = await startKubernetesBackend({
      entities: [
        clusterResource('k8s-test', url),
        clusterResource('k8s-locked', url),
        ...COMPONENTS,
      ],
      // no secret for k8s-locked-token: the vault refuses
      secrets: { 'k8s-test-token': { type: 'password', password: TOKEN } },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await cluster.stop();
  });

  it("is that cluster's error; the other clusters still answer", async () => {
    const res = await request(backend.server)
      .post('/api/kubernetes/resources/workloads/query')
      .set('Authorization', as('dave'))
      .send({ entityRef: `component:default/${COMPONENT_ID}` });
    expect(res.status).toBe(200);
    const byCluster = Object.fromEntries(
      res.body.items.map((i: any) => [i.cluster.name, i]),
    );
    expect(byCluster['k8s-locked'].errors).toEqual([
      {
        errorType: 'FETCH_ERROR',
        message: 'No token for cluster k8s-locked: no secret k8s-locked-token',
      },
    ]);
    expect(byCluster['k8s-locked'].resources).toEqual([]);
    expect(byCluster['k8s-test'].errors).toEqual([]);
    expect(byCluster['k8s-test'].resources.length).toBeGreaterThan(0);
    // the fixture was never called without a token
    expect(
      cluster.requests.every(r => r.authorization === `Bearer ${TOKEN}`),
    ).toBe(true);
  });

  it('refuses logs and actions on it with the reason, without calling it', async () => {
    cluster.requests.length = 0;
    const logs = await request(backend.server)
      .get(`/api/kubernetes/proxy/api/v1/namespaces/${NAMESPACE}/pods/x/log`)
      .set('Authorization', as('dave'))
      .set('Backstage-Kubernetes-Cluster', 'k8s-locked');
    expect(logs.status).toBe(403);
    expect(logs.body.error.message).toBe(
      'No token for cluster k8s-locked: no secret k8s-locked-token',
    );
    const restart = await request(backend.server)
      .post('/api/kubernetes/opsdeck/deployments/restart')
      .set('Authorization', as('dave'))
      .send({
        entityRef: `component:default/${COMPONENT_ID}`,
        cluster: 'k8s-locked',
        namespace: NAMESPACE,
        name: COMPONENT_ID,
      });
    expect(restart.status).toBe(403);
    expect(cluster.requests).toEqual([]);
  });
});
