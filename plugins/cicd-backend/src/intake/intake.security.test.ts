import { ConfigReader } from '@backstage/config';
import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { gzipSync } from 'node:zlib';
import { readCicdConfig } from '../config';
import { applyCicdMigrations } from '../database/migrations';
import { component, startCicdBackend } from '../__testUtils__/testBackend';
import { signedHeaders } from '../__testUtils__/intakeRequest';

jest.setTimeout(120_000);

const PATH = '/api/cicd/intake/builds';
const SECRETS: Record<string, string> = {
  gitlab: 'gitlab-secret-for-security-tests-0123456789',
  github: 'github-secret-for-security-tests-9876543210',
};
const LIMIT = 5;

/** Sends a Buffer as its bytes (superagent would JSON-encode it). */
const asBytes = (b: any) => b;

const build = (system: string, number: number) => ({
  entityRef: 'component:default/shop',
  system,
  job: 'web:test',
  number,
  result: 'SUCCESS',
  log: 'ok\n',
});

const headers = signedHeaders;

const shop = {
  ...component('shop'),
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: { 'opsdeck.io/ci-intake': 'gitlab, github' },
  },
};

async function start(knex?: any) {
  return startCicdBackend({
    entities: [shop],
    instances: [],
    knex,
    secrets: {
      'ci-intake-gitlab': { type: 'password', password: SECRETS.gitlab },
      'ci-intake-github': { type: 'password', password: SECRETS.github },
    },
    cicd: {
      intake: {
        systems: {
          gitlab: { credential: 'ci-intake-gitlab' },
          github: { credential: 'ci-intake-github' },
        },
        owner: 'group:default/ops',
        maxBodyBytes: 64 * 1024,
        failureLimit: LIMIT,
        failureWindowSeconds: 600,
      },
    },
  });
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'intake failure gate (%s)',
  databaseId => {
    it('lets exactly the limit of parallel wrong signatures reach the vault, and answers the rest 429 with Retry-After', async () => {
      const knex = await databases.init(databaseId);
      await applyCicdMigrations(knex);
      const backend = await start(knex);
      try {
        const raw = JSON.stringify(build('gitlab', 1));
        const responses = await Promise.all(
          Array.from({ length: 3 * LIMIT }, () =>
            request(backend.server)
              .post(PATH)
              .set(headers(raw, 'gitlab', 'not-the-secret'))
              .send(raw),
          ),
        );
        const statuses = responses.map(r => r.status).sort();
        expect(statuses.filter(s => s === 401)).toHaveLength(LIMIT);
        expect(statuses.filter(s => s === 429)).toHaveLength(2 * LIMIT);
        // the vault was asked exactly `LIMIT` times
        expect(backend.vaultUses).toHaveLength(LIMIT);
        const refused = responses.find(r => r.status === 429)!;
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(600);
        expect(refused.body.error.name).toBe('TooManyRequestsError');
        // from this address even a right signature waits: the vault is
        // not asked again
        const ok = JSON.stringify(build('gitlab', 2));
        const blocked = await request(backend.server)
          .post(PATH)
          .set(headers(ok, 'gitlab', SECRETS.gitlab))
          .send(ok);
        expect(blocked.status).toBe(429);
        expect(backend.vaultUses).toHaveLength(LIMIT);
      } finally {
        await backend.stop();
      }
    });

    it('counts only failures: right signatures never fill the gate', async () => {
      const knex = await databases.init(databaseId);
      await applyCicdMigrations(knex);
      const backend = await start(knex);
      try {
        for (let n = 1; n <= 2 * LIMIT; n++) {
          const raw = JSON.stringify(build('gitlab', n));
          const res = await request(backend.server)
            .post(PATH)
            .set(headers(raw, 'gitlab', SECRETS.gitlab))
            .send(raw);
          expect(res.status).toBe(202);
        }
      } finally {
        await backend.stop();
      }
    });
  },
);

describe('per-system intake secrets and raw-byte signatures', () => {
  let backend: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    backend = await start();
  });
  afterAll(() => backend?.stop());

  const secretsTaken = () => backend.vaultUses.map(u => u.name);

  it("refuses a body naming github signed with gitlab's secret (401), and github's secret is never taken out", async () => {
    backend.vaultUses.length = 0;
    const raw = JSON.stringify(build('github', 10));
    const res = await request(backend.server)
      .post(PATH)
      .set(headers(raw, 'gitlab', SECRETS.gitlab))
      .send(raw);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/names system github/);
    expect(secretsTaken()).toEqual(['ci-intake-gitlab']);
    expect(backend.vaultUses[0].use.for.ref).toBe('cicd-intake:gitlab');
    // claiming github with gitlab's secret: github's secret does not match
    const claimed = await request(backend.server)
      .post(PATH)
      .set(headers(raw, 'github', SECRETS.gitlab))
      .send(raw);
    expect(claimed.status).toBe(401);
    // a system the intake does not know: refused before the vault
    const unknown = await request(backend.server)
      .post(PATH)
      .set(headers(raw, 'drone', SECRETS.gitlab))
      .send(raw);
    expect(unknown.status).toBe(401);
    expect(secretsTaken()).toEqual(['ci-intake-gitlab', 'ci-intake-github']);
    // github's own secret posts as github
    const own = await request(backend.server)
      .post(PATH)
      .set(headers(raw, 'github', SECRETS.github))
      .send(raw);
    expect(own.status).toBe(202);
  });

  it('checks the signature over the gzip bytes as received, then decompresses', async () => {
    const json = JSON.stringify(build('gitlab', 20));
    const gz = gzipSync(json);
    const ok = await request(backend.server)
      .post(PATH)
      .set({
        ...headers(gz, 'gitlab', SECRETS.gitlab),
        'content-encoding': 'gzip',
      })
      .serialize(asBytes)
      .send(gz);
    expect([ok.status, ok.body.error?.message]).toEqual([202, undefined]);
    expect(ok.body).toMatchObject({ number: 20, stored: true });
    // a signature over the decompressed JSON is not one over what was sent
    const gz2 = gzipSync(JSON.stringify(build('gitlab', 21)));
    const overDecompressed = await request(backend.server)
      .post(PATH)
      .set({
        ...headers(
          JSON.stringify(build('gitlab', 21)),
          'gitlab',
          SECRETS.gitlab,
        ),
        'content-encoding': 'gzip',
      })
      .serialize(asBytes)
      .send(gz2);
    expect(overDecompressed.status).toBe(401);
  });

  it('refuses a signed zip bomb with 413 once decompressed past the cap, and an unknown encoding with 415', async () => {
    // 64 KiB raw cap: 8 MiB of JSON compresses to a few KiB
    const bomb = gzipSync(
      JSON.stringify({ ...build('gitlab', 30), log: ' '.repeat(8 << 20) }),
    );
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await request(backend.server)
      .post(PATH)
      .set({
        ...headers(bomb, 'gitlab', SECRETS.gitlab),
        'content-encoding': 'gzip',
      })
      .serialize(asBytes)
      .send(bomb);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/decompressed/);
    const raw = JSON.stringify(build('gitlab', 31));
    const br = await request(backend.server)
      .post(PATH)
      .set({
        ...headers(raw, 'gitlab', SECRETS.gitlab),
        'content-encoding': 'br',
      })
      .send(raw);
    expect(br.status).toBe(415);
  });
});

describe('intake configuration', () => {
  it('refuses to start with the former single intake.credential, naming the new shape', () => {
    expect(() =>
      readCicdConfig(
        new ConfigReader({
          opsdeck: { cicd: { intake: { credential: 'ci-intake' } } },
        }),
      ),
    ).toThrow(
      /intake\.systems: \{ gitlab: \{ credential: ci-intake-gitlab \} \}/,
    );
  });

  it('reads one credential per system, and refuses a bad system name', () => {
    const c = readCicdConfig(
      new ConfigReader({
        opsdeck: {
          cicd: {
            intake: {
              owner: 'group:default/Ops',
              systems: {
                gitlab: { credential: 'ci-intake-gitlab' },
                github: { credential: 'gh', owner: 'group:default/dev' },
              },
            },
          },
        },
      }),
    );
    expect([...c.intake.systems]).toEqual([
      [
        'gitlab',
        { credential: 'ci-intake-gitlab', owner: 'group:default/ops' },
      ],
      ['github', { credential: 'gh', owner: 'group:default/dev' }],
    ]);
    expect(() =>
      readCicdConfig(
        new ConfigReader({
          opsdeck: {
            cicd: {
              intake: { systems: { constructor_: { credential: 'x' } } },
            },
          },
        }),
      ),
    ).toThrow(/invalid system name/);
  });
});
