import request from 'supertest';
import { signedHeaders } from '../__testUtils__/intakeRequest';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const SECRETS: Record<string, string> = {
  gitlab: 'gitlab-deploy-secret-for-tests-0123456789',
  argocd: 'argocd-deploy-secret-for-tests-9876543210',
};
const DEPLOY = '/api/cicd/intake/deployments';
const BUILDS = '/api/cicd/intake/builds';
const COMMIT = 'c0ffee1234567890abcdef1234567890abcdef12';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const T0 = Date.UTC(2026, 11, 3, 9, 0);

function annotated(name: string, systems: string, owner = 'group:default/dev') {
  const c = component(name);
  return {
    ...c,
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'opsdeck.io/ci-intake': systems },
    },
    spec: { ...c.spec, owner },
  };
}

const deployment = {
  system: 'argocd',
  entity: 'component:default/shop',
  environment: 'production',
  version: '1.4.2',
  digest: DIGEST,
  commit: COMMIT,
  status: 'SUCCESS',
  url: 'https://argocd.example.com/applications/shop',
  timestamp: T0 + 30 * 60_000,
};

describe('signed deploy webhook and the delivery timeline', () => {
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;

  beforeAll(async () => {
    backend = await startCicdBackend({
      entities: [
        annotated('shop', 'gitlab, argocd'),
        annotated('payments', 'gitlab', 'group:default/pay'),
        annotated('ledger', 'argocd', 'group:default/pay'),
      ],
      instances: [],
      // dave's team cannot read the payments team's components
      hiddenFrom: { dave: ['component:default/ledger'] },
      secrets: {
        'ci-intake-gitlab': { type: 'password', password: SECRETS.gitlab },
        'ci-intake-argocd': { type: 'password', password: SECRETS.argocd },
      },
      cicd: {
        intake: {
          systems: {
            gitlab: { credential: 'ci-intake-gitlab' },
            argocd: { credential: 'ci-intake-argocd' },
          },
          owner: 'group:default/ops',
        },
      },
    });
  });
  afterAll(() => backend?.stop());

  const post = (
    path: string,
    body: object,
    options: { system?: string; secret?: string; delivery?: string } = {},
  ) => {
    const raw = JSON.stringify(body);
    const system = options.system ?? (body as any).system;
    return request(backend.server)
      .post(path)
      .set(
        signedHeaders(raw, system, options.secret ?? SECRETS[system], {
          delivery: options.delivery,
        }),
      )
      .send(raw);
  };
  const timeline = (entity: string, user?: string) => {
    const r = request(backend.server)
      .get('/api/cicd/timeline')
      .query({ entity });
    return user ? r.set('Authorization', as(user)) : r;
  };

  it('takes a signed deployment once per delivery id, audited with the CD system as actor', async () => {
    const delivery = `deploy-${Date.now()}`;
    const res = await post(DEPLOY, deployment, { delivery });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ stored: true });
    expect(backend.vaultUses.at(-1)).toEqual({
      name: 'ci-intake-argocd',
      use: {
        use: 'ci-intake',
        for: { ref: 'cicd-intake:argocd', owner: 'group:default/ops' },
      },
    });
    expect(
      backend.events.find(
        e => e.eventId === 'deployment-intake' && e.status === 'succeeded',
      ),
    ).toMatchObject({
      meta: {
        actor: 'ci:argocd',
        target: 'component:default/shop',
        environment: 'production',
        version: '1.4.2',
        status: 'SUCCESS',
      },
    });
    // the same delivery again: refused by the one replay gate
    expect((await post(DEPLOY, deployment, { delivery })).status).toBe(409);
  });

  it('refuses unsigned, wrongly signed and cross-system deployments with 401, unusable bodies with 400', async () => {
    const unsigned = await request(backend.server)
      .post(DEPLOY)
      .set('content-type', 'application/json')
      .send(JSON.stringify(deployment));
    expect(unsigned.status).toBe(401);
    const userOnly = await request(backend.server)
      .post(DEPLOY)
      .set('Authorization', as('alice'))
      .send(deployment);
    expect(userOnly.status).toBe(401);
    expect(
      (await post(DEPLOY, deployment, { secret: 'not-the-secret' })).status,
    ).toBe(401);
    // gitlab's secret signing a body that says argocd
    const uses = backend.vaultUses.length;
    const cross = await post(DEPLOY, deployment, { system: 'gitlab' });
    expect(cross.status).toBe(401);
    expect(backend.vaultUses.slice(uses).map(u => u.name)).toEqual([
      'ci-intake-gitlab',
    ]);
    const bad: object[] = [
      { ...deployment, entity: 'component:default/nope' },
      // payments does not take posts from argocd
      { ...deployment, entity: 'component:default/payments' },
      { ...deployment, status: 'DONE' },
      { ...deployment, environment: 'Prod Env' },
      { ...deployment, digest: 'md5:abc' },
      { ...deployment, commit: 'not-a-sha' },
      { ...deployment, url: ['javascript', 'alert(1)'].join(':') },
      { ...deployment, version: undefined, digest: undefined },
      { ...deployment, extra: 1 },
    ];
    for (const body of bad) {
      const res = await post(DEPLOY, body);
      expect([JSON.stringify(body).slice(0, 90), res.status]).toEqual([
        JSON.stringify(body).slice(0, 90),
        400,
      ]);
    }
  });

  it('merges commits, builds, artifacts and deployments in time order and links each deployment to its build', async () => {
    const build = {
      entityRef: 'component:default/shop',
      system: 'gitlab',
      job: 'shop/web:build',
      result: 'SUCCESS',
      branch: 'main',
      url: 'https://gitlab.example.com/shop/web/-/jobs/7',
      commit: COMMIT,
      durationMillis: 120_000,
      log: 'ok\n',
    };
    expect(
      (
        await post(BUILDS, {
          ...build,
          number: 6,
          result: 'FAILURE',
          timestamp: T0,
        })
      ).status,
    ).toBe(202);
    expect(
      (
        await post(BUILDS, {
          ...build,
          number: 7,
          timestamp: T0 + 10 * 60_000,
          artifacts: [
            {
              name: 'registry.example.com/shop/web:1.4.2',
              digest: DIGEST,
              url: 'https://registry.example.com/shop/web',
            },
          ],
        })
      ).status,
    ).toBe(202);
    const res = await timeline('component:default/shop', 'erin');
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
    expect(
      res.body.items.map((i: any) => [
        i.kind,
        i.timestamp - T0,
        i.number ?? i.build?.number ?? null,
      ]),
    ).toEqual([
      ['commit', 0, null],
      ['build', 0, 6],
      ['build', 10 * 60_000, 7],
      ['artifact', 12 * 60_000, 7],
      ['deployment', 30 * 60_000, 7],
    ]);
    expect(res.body.items[4]).toEqual({
      kind: 'deployment',
      timestamp: deployment.timestamp,
      commit: COMMIT,
      system: 'argocd',
      environment: 'production',
      version: '1.4.2',
      digest: DIGEST,
      status: 'SUCCESS',
      url: deployment.url,
      build: { job: '@intake:gitlab/shop/web:build', number: 7 },
    });
    expect(res.body.items[3]).toMatchObject({
      name: 'registry.example.com/shop/web:1.4.2',
      digest: DIGEST,
    });
  });

  it('reads the timeline only with a credential, the read permission and catalog read access to the entity', async () => {
    expect((await timeline('component:default/shop')).status).toBe(401);
    expect((await timeline('component:default/shop', 'mallory')).status).toBe(
      403,
    );
    for (const hostile of [
      'shop',
      'component:shop',
      'component:default/../admin',
      'component:default/shop?x=1',
      `component:default/${'a'.repeat(300)}`,
      'component:default/shop\nx',
    ]) {
      const res = await timeline(hostile, 'erin');
      expect([hostile, res.status]).toEqual([hostile, 400]);
    }
    // another team's component: dave cannot read it in the catalog
    const ledger = await post(DEPLOY, {
      ...deployment,
      entity: 'component:default/ledger',
    });
    expect(ledger.status).toBe(202);
    expect((await timeline('component:default/ledger', 'dave')).status).toBe(
      404,
    );
    const own = await timeline('component:default/ledger', 'alice');
    expect(own.status).toBe(200);
    expect(own.body.items.map((i: any) => i.kind)).toEqual([
      'commit',
      'deployment',
    ]);
    expect((await timeline('component:default/nope', 'alice')).status).toBe(
      404,
    );
  });
});
