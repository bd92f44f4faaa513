import request from 'supertest';
import { corpusLog } from '../testUtils';
import { as, component, startCicdBackend } from '../__testUtils__/testBackend';
import { signIntake } from './signature';

jest.setTimeout(60_000);

/** Each CI system signs with its own secret. */
const SECRETS: Record<string, string> = {
  gitlab: 'gitlab-intake-secret-for-tests-0123456789',
  drone: 'drone-intake-secret-for-tests-9876543210',
};
const PATH = '/api/cicd/intake/builds';

let counter = 0;
const deliveryId = () => `delivery-${Date.now()}-${++counter}`;

function signed(
  body: object | string,
  options: {
    secret?: string;
    timestamp?: number;
    delivery?: string;
    system?: string;
  } = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const system =
    options.system ??
    (typeof body === 'object' ? (body as any).system : undefined) ??
    'gitlab';
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const delivery = options.delivery ?? deliveryId();
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-opsdeck-timestamp': timestamp,
      'x-opsdeck-delivery': delivery,
      'x-opsdeck-system': system,
      'x-opsdeck-signature-256': signIntake(
        options.secret ?? SECRETS[system] ?? 'no-secret',
        timestamp,
        delivery,
        raw,
      ),
    },
  };
}

const failed = {
  entityRef: 'component:default/shop',
  system: 'gitlab',
  job: 'shop/web:build',
  number: 41,
  result: 'FAILURE',
  branch: 'main',
  url: 'https://gitlab.example.com/shop/web/-/jobs/41',
  commit: 'a1b2c3d4e5f6',
  timestamp: Date.UTC(2026, 11, 3, 9, 0),
  durationMillis: 80_000,
  log: corpusLog('tsc-type-error.log'),
};

function intakeComponent(name: string, systems: string) {
  const c = component(name);
  return {
    ...c,
    metadata: {
      ...c.metadata,
      annotations: { 'opsdeck.io/ci-intake': systems },
    },
  };
}

describe('signed build intake', () => {
  let backend: Awaited<ReturnType<typeof startCicdBackend>>;

  beforeAll(async () => {
    backend = await startCicdBackend({
      entities: [
        intakeComponent('shop', 'gitlab, drone'),
        component('ops-db'),
        intakeComponent('drone-only', 'drone'),
        intakeComponent('cart', 'gitlab'),
        {
          ...component('gitlab-only'),
          metadata: {
            name: 'gitlab-only',
            namespace: 'default',
            annotations: { 'opsdeck.io/ci-intake': 'gitlab' },
          },
        },
      ],
      instances: [],
      secrets: {
        'ci-intake-gitlab': { type: 'password', password: SECRETS.gitlab },
        'ci-intake-drone': { type: 'password', password: SECRETS.drone },
      },
      cicd: {
        intake: {
          systems: {
            gitlab: { credential: 'ci-intake-gitlab' },
            drone: { credential: 'ci-intake-drone' },
          },
          owner: 'group:default/ops',
          maxBodyBytes: 256 * 1024,
          maxLogBytes: 64 * 1024,
        },
      },
    });
  });
  afterAll(() => backend?.stop());

  const post = (s: ReturnType<typeof signed>) =>
    request(backend.server).post(PATH).set(s.headers).send(s.raw);
  const builds = () =>
    request(backend.server)
      .get('/api/cicd/entities/component/default/shop/builds')
      .set('Authorization', as('erin'));

  it('accepts a signed build, locates its cause, alerts the owner and audits the CI system', async () => {
    backend.notifications.length = 0;
    const res = await post(signed(failed));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      job: '@intake:gitlab/shop/web:build',
      number: 41,
      stored: true,
      cause: {
        id: 'typescript-compile',
        title: expect.any(String),
        category: 'compile',
        line: expect.any(Number),
      },
    });
    // the secret came out of the vault for the intake, at use
    expect(backend.vaultUses).toContainEqual({
      name: 'ci-intake-gitlab',
      use: {
        use: 'ci-intake',
        for: { ref: 'cicd-intake:gitlab', owner: 'group:default/ops' },
      },
    });
    expect(backend.notifications).toHaveLength(1);
    expect(backend.notifications[0].recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/dev'],
    });
    expect(backend.notifications[0].payload.title).toBe(
      'Build failed: shop gitlab shop/web:build #41 (main)',
    );
    expect(backend.notifications[0].payload.description).toMatch(
      /\[compile\]\nLine \d+: .*error TS/,
    );
    expect(
      backend.events.find(
        e => e.eventId === 'build-intake' && e.status === 'succeeded',
      ),
    ).toMatchObject({
      meta: {
        actor: 'ci:gitlab',
        target: 'component:default/shop',
        job: 'shop/web:build',
        number: 41,
        result: 'FAILURE',
      },
    });
    // among the entity's builds, and its detail located like a Jenkins build
    const list = await builds();
    expect(list.status).toBe(200);
    expect(list.body.builds).toContainEqual(
      expect.objectContaining({
        job: '@intake:gitlab/shop/web:build',
        number: 41,
        source: 'intake',
        result: 'FAILURE',
        branch: 'main',
      }),
    );
    const detail = await request(backend.server)
      .get('/api/cicd/entities/component/default/shop/build')
      .query({ job: '@intake:gitlab/shop/web:build', number: 41 })
      .set('Authorization', as('erin'));
    expect(detail.status).toBe(200);
    expect(detail.body.located.causes[0].id).toBe('typescript-compile');
    expect(detail.body.excerpt.some((l: any) => /error TS/.test(l.text))).toBe(
      true,
    );
    // and the fix sends one recovery
    backend.notifications.length = 0;
    const fixed = await post(
      signed({ ...failed, number: 42, result: 'SUCCESS', log: 'ok\n' }),
    );
    expect(fixed.status).toBe(202);
    expect(fixed.body.cause).toBeUndefined();
    expect(backend.notifications.map(n => n.payload.title)).toEqual([
      'Build fixed: shop gitlab shop/web:build #42 (main)',
    ]);
  });

  it('lists no builds yet (not an error) for an entity annotated for the intake only', async () => {
    const res = await request(backend.server)
      .get('/api/cicd/entities/component/default/gitlab-only/builds')
      .set('Authorization', as('erin'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ builds: [], errors: [], more: false });
    const bare = await request(backend.server)
      .get('/api/cicd/entities/component/default/shop/builds')
      .set('Authorization', as('erin'));
    // shop has intake builds by now: listed although it names no Jenkins job
    expect(bare.status).toBe(200);
  });

  it('refuses a wrong signature, missing headers and a stale timestamp with 401, storing nothing', async () => {
    const body = { ...failed, number: 50 };
    const uses = backend.vaultUses.length;
    const missing = await request(backend.server)
      .post(PATH)
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
    expect(missing.status).toBe(401);
    // a Backstage user's credential is not a signature
    const user = await request(backend.server)
      .post(PATH)
      .set('Authorization', as('erin'))
      .send(body);
    expect(user.status).toBe(401);
    // well outside the 300 s window: a second passing between signing and
    // checking (a loaded CI machine) must not bring +301 back inside it
    const stale = await post(
      signed(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
    );
    expect(stale.status).toBe(401);
    const future = await post(
      signed(body, { timestamp: Math.floor(Date.now() / 1000) + 600 }),
    );
    expect(future.status).toBe(401);
    // refused on the headers alone: the vault was not even asked
    expect(backend.vaultUses.length).toBe(uses);
    const wrongKey = await post(signed(body, { secret: 'not-the-secret' }));
    expect(wrongKey.status).toBe(401);
    // a body changed after signing
    const s = signed(body);
    const tampered = await request(backend.server)
      .post(PATH)
      .set(s.headers)
      .send(s.raw.replace('"number":50', '"number":51'));
    expect(tampered.status).toBe(401);
    // unparseable garbage is refused on the signature, not parsed
    const garbage = await request(backend.server)
      .post(PATH)
      .set({ ...s.headers, 'x-opsdeck-delivery': 'other-delivery-1' })
      .send('{not json');
    expect(garbage.status).toBe(401);
    const list = await builds();
    expect(
      list.body.builds.filter((b: any) => [50, 51].includes(b.number)),
    ).toEqual([]);
  });

  it('refuses a replayed delivery id, even with a fresh timestamp', async () => {
    const delivery = deliveryId();
    const body = { ...failed, number: 60 };
    expect((await post(signed(body, { delivery }))).status).toBe(202);
    const again = await post(signed(body, { delivery }));
    expect(again.status).toBe(409);
    const otherBuild = await post(
      signed({ ...body, number: 61 }, { delivery }),
    );
    expect(otherBuild.status).toBe(409);
    expect(
      (await builds()).body.builds.filter((b: any) => b.number === 61),
    ).toEqual([]);
  });

  it('refuses an oversize body with 413 and keeps the tail of a long log', async () => {
    const big = await post(
      signed({ ...failed, number: 70, log: 'x'.repeat(300 * 1024) }),
    );
    expect(big.status).toBe(413);
    const long = await post(
      signed({
        ...failed,
        number: 71,
        log: `${'noise line\n'.repeat(10_000)}${corpusLog(
          'tsc-type-error.log',
        )}`,
      }),
    );
    expect(long.status).toBe(202);
    expect(long.body.cause.id).toBe('typescript-compile');
  });

  it('refuses signed bodies it cannot use with 400', async () => {
    const cases: object[] = [
      { ...failed, number: 80, entityRef: 'component:default/nope' },
      { ...failed, number: 81, result: 'MAYBE' },
      { ...failed, number: 82, url: ['javascript', 'alert(1)'].join(':') },
      { ...failed, number: 83, system: 'Git Lab' },
      { ...failed, number: 0 },
      { ...failed, number: 84, extra: true },
      { ...failed, number: 85, job: 'a\nb' },
    ];
    for (const body of cases) {
      const res = await post(signed(body, { system: 'gitlab' }));
      expect([JSON.stringify(body).slice(0, 80), res.status]).toEqual([
        JSON.stringify(body).slice(0, 80),
        400,
      ]);
    }
    expect((await post(signed('[1,2]'))).status).toBe(400);
    expect((await post(signed('{oops'))).status).toBe(400);
  });

  it('refuses a build for an entity that does not name the posting CI system (no cross-team injection)', async () => {
    backend.notifications.length = 0;
    // the shared secret signs, but ops-db has no opsdeck.io/ci-intake at all
    const unannotated = await post(
      signed({ ...failed, number: 90, entityRef: 'component:default/ops-db' }),
    );
    expect(unannotated.status).toBe(400);
    // drone-only takes drone builds, not gitlab ones
    const otherSystem = await post(
      signed({
        ...failed,
        number: 91,
        entityRef: 'component:default/drone-only',
      }),
    );
    expect(otherSystem.status).toBe(400);
    expect(backend.notifications).toEqual([]);
    for (const name of ['ops-db', 'drone-only']) {
      const list = await request(backend.server)
        .get(`/api/cicd/entities/component/default/${name}/builds`)
        .set('Authorization', as('alice'));
      expect(
        (list.body.builds ?? []).filter((b: any) =>
          [90, 91].includes(b.number),
        ),
      ).toEqual([]);
    }
    // the system the entity names is taken
    const drone = await post(
      signed({
        ...failed,
        system: 'drone',
        number: 92,
        entityRef: 'component:default/drone-only',
      }),
    );
    expect(drone.status).toBe(202);
  });

  it("keeps each entity's alert state apart for the same CI job name (another project's build numbers silence nothing)", async () => {
    backend.notifications.length = 0;
    const job = {
      ...failed,
      job: 'test',
      log: corpusLog('tsc-type-error.log'),
    };
    // another project's pipeline with the same job name is far ahead
    const cart = await post(
      signed({ ...job, number: 500, entityRef: 'component:default/cart' }),
    );
    expect(cart.status).toBe(202);
    const shop = await post(signed({ ...job, number: 42 }));
    expect(shop.status).toBe(202);
    expect(backend.notifications.map(n => n.payload.title)).toEqual([
      'Build failed: cart gitlab test #500 (main)',
      'Build failed: shop gitlab test #42 (main)',
    ]);
  });
});
