import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createServer, Server, Socket } from 'node:net';
import { DEFAULT_MASKING_RULES, Masker } from '../console/masking';
import { DatabaseSqlStore } from '../database/DatabaseSqlStore';
import { sqlDriver } from '../engines';
import { runRedisCommand } from '../engines/redis';
import { instanceEntity, testSecret } from '../__testUtils__/instanceEntity';
import { createReadLogin, type ReadLogin } from '../__testUtils__/readLogins';
import { scratchName, testServer } from '../__testUtils__/servers';
import { SqlService } from './SqlService';

jest.setTimeout(60_000);

// Snapshots of the real PostgreSQL (pg_stat_statements), MariaDB (slow log
// table) and Redis (SLOWLOG); the plugin's tables on SQLite.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const pg = testServer('postgresql');
const maria = testServer('mysql');
const redis = testServer('redis');
const pgScratch = scratchName('opsdeck_sql_snap');
const mariaScratch = scratchName('opsdeck_sql_snap');
/** Read-only logins: snapshots are read with the instances' read credentials. */
let pgRead: ReadLogin;
let mariaRead: ReadLogin;

/** Accepts connections and never answers: a hung instance. */
let silent: Server;
const silentSockets = new Set<Socket>();
let silentPort: number;
/** A port nothing listens on: an unreachable instance. */
let closedPort: number;

async function listen(server: Server): Promise<number> {
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  silent = createServer(s => {
    silentSockets.add(s);
    s.on('error', () => undefined);
  });
  silentPort = await listen(silent);
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise(r => probe.close(r));

  for (const [engine, server, db] of [
    ['postgresql', pg, pgScratch],
    ['mysql', maria, mariaScratch],
  ] as const) {
    const driver = sqlDriver(engine);
    const admin = await driver.connect({ ...server, database: undefined });
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.close();
    const s = await driver.connect({ ...server, database: db });
    if (engine === 'postgresql') {
      // the DBA's job: opsdeck never runs CREATE EXTENSION
      await s.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    }
    await s.query('CREATE TABLE snap_items (id int PRIMARY KEY, n int)');
    await s.query('INSERT INTO snap_items VALUES (1, 10), (2, 20)');
    for (let i = 0; i < 3; i++) {
      await s.query(`SELECT count(*) FROM snap_items WHERE n > ${i}`);
    }
    await s.close();
  }
  await runRedisCommand(redis, ['GET', 'opsdeck:snapshot:test']);
  pgRead = await createReadLogin('postgresql', pg, pgScratch);
  mariaRead = await createReadLogin('mysql', maria, mariaScratch);
});

afterAll(async () => {
  await pgRead?.drop();
  await mariaRead?.drop();
  for (const s of silentSockets) s.destroy();
  await new Promise(r => silent.close(r));
  for (const [engine, server, db] of [
    ['postgresql', pg, pgScratch],
    ['mysql', maria, mariaScratch],
  ] as const) {
    const admin = await sqlDriver(engine).connect({
      ...server,
      database: undefined,
    });
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.close();
  }
});

describe('slow-query snapshots', () => {
  it('refreshes every instance with a credential; unreachable and hung ones record errors without blocking the rest', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseSqlStore.create({
      database: mockServices.database({ knex }),
    });
    const local = { ...pg, host: '127.0.0.1' };
    /** An instance whose vault credential is the login of `server`. */
    const entity = (
      name: string,
      engine: 'postgresql' | 'mysql' | 'redis',
      server: typeof pg,
      database: string,
      credential: string | undefined,
    ) => {
      const e = instanceEntity(name, engine, server, database);
      const spec = e.spec as Record<string, unknown>;
      spec.credential = credential;
      spec.credentials = credential ? { read: credential } : {};
      return e;
    };
    const logins: Record<string, typeof pg> = {
      pg: { ...pg, user: pgRead.user, password: pgRead.password },
      maria: { ...maria, user: mariaRead.user, password: mariaRead.password },
      redis,
    };
    const service = new SqlService({
      store,
      catalog: catalogServiceMock({
        entities: [
          // sorted first, so the healthy instances come after them
          entity(
            'a-down-db',
            'postgresql',
            { ...local, port: closedPort },
            'x',
            'pg',
          ),
          entity(
            'b-hung-db',
            'mysql',
            { ...local, port: silentPort },
            'x',
            'maria',
          ),
          entity('c-nocred-db', 'postgresql', pg, pgScratch, undefined),
          entity('pg-db', 'postgresql', pg, pgScratch, 'pg'),
          entity('maria-db', 'mysql', maria, mariaScratch, 'maria'),
          entity('redis-cache', 'redis', redis, '0', 'redis'),
        ],
      }),
      auth: mockServices.auth(),
      getSecret: async name => ({
        type: 'password',
        username: logins[name].user,
        password: logins[name].password ?? '',
      }),
      masker: new Masker(DEFAULT_MASKING_RULES),
      limits: { maxRows: 10, timeoutMs: 5000 },
      logger: mockServices.logger.mock(),
      slowQueries: { top: 50, timeoutMs: 2000 },
    });

    const result = await service.slowQueries.refreshAllSlowQuerySnapshots();
    expect(result.refreshed.sort()).toEqual([
      'resource:default/maria-db',
      'resource:default/pg-db',
      'resource:default/redis-cache',
    ]);
    expect(result.failed.map(f => f.instanceRef)).toEqual([
      'resource:default/a-down-db',
      'resource:default/b-hung-db',
    ]);
    expect(result.failed[1].error).toMatch(/timed out after 2000 ms/);

    const down = await store.getSlowQuerySnapshot('resource:default/a-down-db');
    expect(down).toMatchObject({ takenAt: undefined, statements: [] });
    expect(down!.error).toMatch(/ECONNREFUSED|connect/);
    expect(
      await store.getSlowQuerySnapshot('resource:default/c-nocred-db'),
    ).toBeUndefined();

    const pgSnap = await store.getSlowQuerySnapshot('resource:default/pg-db');
    expect(pgSnap).toMatchObject({ engine: 'postgresql', error: undefined });
    expect(pgSnap!.takenAt).toBeDefined();
    expect(
      pgSnap!.statements.find(s =>
        /FROM snap_items WHERE n > \$1/.test(s.statement),
      ),
    ).toMatchObject({ calls: 3 });

    const mariaSnap = await store.getSlowQuerySnapshot(
      'resource:default/maria-db',
    );
    expect(mariaSnap).toMatchObject({ engine: 'mysql', error: undefined });
    const mariaEntry = mariaSnap!.statements.find(s =>
      /FROM snap_items WHERE n > \?/i.test(s.statement),
    );
    expect(mariaEntry?.calls).toBe(3);
    expect(mariaEntry?.rows).toBe(3);

    const redisSnap = await store.getSlowQuerySnapshot(
      'resource:default/redis-cache',
    );
    expect(redisSnap).toMatchObject({ engine: 'redis', error: undefined });
    expect(
      redisSnap!.statements.find(s => s.statement === 'GET ?')?.calls,
    ).toBeGreaterThanOrEqual(1);

    // a later failure keeps the last good statements with the error
    const pgInstance = await service.getInstance(
      'resource:default/pg-db',
      await mockServices.auth().getOwnServiceCredentials(),
    );
    const failing = await service.slowQueries.refreshSlowQuerySnapshot({
      ...pgInstance,
      port: closedPort,
    });
    expect(failing.error).toMatch(/ECONNREFUSED|connect/);
    expect(failing.takenAt).toBe(pgSnap!.takenAt);
    expect(failing.statements).toEqual(pgSnap!.statements);
  });

  it('keeps earlier snapshots for historyMs and prunes older ones during the refresh', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseSqlStore.create({
      database: mockServices.database({ knex }),
    });
    const service = new SqlService({
      store,
      catalog: catalogServiceMock({
        entities: [instanceEntity('pg-db', 'postgresql', pg, pgScratch)],
      }),
      auth: mockServices.auth(),
      getSecret: testSecret(pg, pgRead),
      masker: new Masker(DEFAULT_MASKING_RULES),
      limits: { maxRows: 10, timeoutMs: 5000 },
      logger: mockServices.logger.mock(),
      slowQueries: { top: 50, timeoutMs: 10_000, historyMs: 7 * 86_400_000 },
    });
    const ref = 'resource:default/pg-db';
    const now = Date.now();
    const old = new Date(now - 8 * 86_400_000);
    const recent = new Date(now - 3 * 86_400_000);
    const earlier = [
      { statement: 'SELECT 1', calls: 1, totalMs: 1, meanMs: 1 },
    ];
    await store.saveSlowQuerySnapshot(ref, 'postgresql', earlier, old);
    await store.saveSlowQuerySnapshot(ref, 'postgresql', earlier, recent);

    const result = await service.slowQueries.refreshAllSlowQuerySnapshots(
      new Date(now),
    );
    expect(result).toMatchObject({ refreshed: [ref], failed: [], pruned: 1 });
    const instance = await service.getInstance(
      ref,
      await mockServices.auth().getOwnServiceCredentials(),
    );
    const latest = await service.slowQueries.slowQuerySnapshot(instance);
    const times = await service.slowQueries.slowQueryHistory(instance);
    expect(times).toEqual([latest!.takenAt, recent.toISOString()]);
    expect(
      (await service.slowQueries.slowQuerySnapshot(instance, latest!.takenAt))!
        .statements,
    ).toEqual(latest!.statements);
    expect(
      await service.slowQueries.slowQuerySnapshot(
        instance,
        recent.toISOString(),
      ),
    ).toMatchObject({ takenAt: recent.toISOString(), statements: earlier });
    await expect(
      service.slowQueries.slowQuerySnapshot(instance, old.toISOString()),
    ).rejects.toThrow(/is kept/);
  });

  it('shows what ran between two refreshes of PostgreSQL as the change since the previous snapshot', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseSqlStore.create({
      database: mockServices.database({ knex }),
    });
    const service = new SqlService({
      store,
      catalog: catalogServiceMock({
        entities: [
          instanceEntity('pg-db', 'postgresql', pg, pgScratch),
          instanceEntity('maria-db', 'mysql', maria, mariaScratch),
        ],
      }),
      auth: mockServices.auth(),
      getSecret: testSecret(pg, pgRead),
      masker: new Masker(DEFAULT_MASKING_RULES),
      limits: { maxRows: 10, timeoutMs: 5000 },
      logger: mockServices.logger.mock(),
      slowQueries: { top: 50, timeoutMs: 10_000 },
    });
    const own = await mockServices.auth().getOwnServiceCredentials();
    const instance = await service.getInstance('resource:default/pg-db', own);
    const session = await sqlDriver('postgresql').connect({
      ...pg,
      database: pgScratch,
    });
    // a statement only this test runs, so its counters are ours alone
    const run = async (times: number) => {
      for (let i = 0; i < times; i++) {
        await session.query(
          `SELECT count(*) FROM snap_items WHERE id > ${i} AND n < 99`,
        );
      }
    };
    const text = /FROM snap_items WHERE id > \$1 AND n < \$2/;
    const N = 4;
    const M = 3;
    try {
      await run(N);
      const first = await service.slowQueries.refreshSlowQuerySnapshot(
        instance,
      );
      await run(M);
      const second = await service.slowQueries.refreshSlowQuerySnapshot(
        instance,
      );
      expect(second.takenAt! > first.takenAt!).toBe(true);
      // the cumulative view counts every call since the stats reset
      expect(second.statements.find(s => text.test(s.statement))?.calls).toBe(
        N + M,
      );

      const interval = await service.slowQueries.slowQueryIntervalSnapshot(
        instance,
        undefined,
        'previous',
      );
      expect(interval.takenAt).toBe(second.takenAt);
      expect(interval.comparedTo).toBe(first.takenAt);
      const row = interval.statements.find(s => text.test(s.statement))!;
      const before = first.statements.find(s => text.test(s.statement))!;
      const after = second.statements.find(s => text.test(s.statement))!;
      expect(row).toMatchObject({ calls: M, basis: 'difference' });
      expect(row.totalMs).toBeCloseTo(after.totalMs - before.totalMs, 6);
      expect(row.meanMs).toBeCloseTo(row.totalMs / M, 6);
      const totals = interval.statements.map(s => s.totalMs);
      expect(totals).toEqual([...totals].sort((a, b) => b - a));
      // the same by the earlier snapshot's time, at the later one's time
      expect(
        await service.slowQueries.slowQueryIntervalSnapshot(
          instance,
          second.takenAt,
          first.takenAt!,
        ),
      ).toEqual(interval);
    } finally {
      await session.close();
    }
    // nothing kept before the first snapshot; not later than the shown one
    await expect(
      service.slowQueries.slowQueryIntervalSnapshot(
        instance,
        (await service.slowQueries.slowQueryHistory(instance)).at(-1),
        'previous',
      ),
    ).rejects.toThrow(/No snapshot of .* before/);
    await expect(
      service.slowQueries.slowQueryIntervalSnapshot(
        instance,
        (await service.slowQueries.slowQueryHistory(instance)).at(-1),
        (
          await service.slowQueries.slowQueryHistory(instance)
        )[0],
      ),
    ).rejects.toThrow(/compareTo must be/);
    // the slow-log snapshots of MariaDB (and Redis) are not counters
    await expect(
      service.slowQueries.slowQueryIntervalSnapshot(
        await service.getInstance('resource:default/maria-db', own),
        undefined,
        'previous',
      ),
    ).rejects.toThrow(/PostgreSQL only/);
  });
});
