import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  startMariadbReplication,
  startPostgresReplication,
  type ReplicatedPair,
} from '../__testUtils__/replicas';
import {
  eventually,
  instantQuery,
  startMysqldExporter,
  startPostgresExporter,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';
import {
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';
import { matcher } from '../rules/promql';
import { STORE_PANELS } from './storePanels';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const dave = mockCredentials.user.header('user:default/dave');

function database(name: string, engine: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: { type: 'database', engine, owner: 'dba' },
  };
}

/**
 * The replication lag panel on real replicas: a PostgreSQL primary and its
 * streaming replica, a MariaDB primary and its GTID replica, scraped by
 * Debian's exporters (the postgres one with exporters/postgres-queries.yaml)
 * into a real Prometheus; real lag made by pausing the replica's replay
 * (PostgreSQL) or holding a row lock its applier needs (MariaDB) while the
 * primary writes.
 */
describe('replication lag panels on real replicas', () => {
  const cleanups: Array<() => Promise<void>> = [];
  /** Starts a server and registers its stop before anything else can fail. */
  async function track<T extends { stop(): Promise<void> }>(
    started: Promise<T>,
  ): Promise<T> {
    const server = await started;
    cleanups.push(() => server.stop());
    return server;
  }
  let pg: ReplicatedPair;
  let maria: ReplicatedPair;
  let backend: MonitoringBackend;
  let prometheusUrl: string;

  beforeAll(async () => {
    [pg, maria] = await Promise.all([
      track(startPostgresReplication()),
      track(startMariadbReplication()),
    ]);
    const exporters: RunningServer[] = await Promise.all([
      track(startPostgresExporter(pg.exporterDsn(pg.primaryPort))),
      track(startPostgresExporter(pg.exporterDsn(pg.replicaPort))),
      track(startMysqldExporter(maria.exporterDsn(maria.primaryPort))),
      track(startMysqldExporter(maria.exporterDsn(maria.replicaPort))),
    ]);
    const refs = [
      'ledger-db',
      'ledger-db-replica',
      'shop-db',
      'shop-db-replica',
    ];
    const prometheus = await track(
      startPrometheus(`
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: opsdeck-replication
    static_configs:${exporters
      .map(
        (exporter, i) => `
      - targets: ['127.0.0.1:${exporter.port}']
        labels:
          opsdeck_entity: 'resource:default/${refs[i]}'`,
      )
      .join('')}
`),
    );
    prometheusUrl = prometheus.url;
    backend = await track(
      startMonitoringBackend({
        knex: await databases.init('SQLITE_3'),
        entities: [
          database('ledger-db', 'postgresql'),
          database('ledger-db-replica', 'postgresql'),
          database('shop-db', 'mariadb'),
          database('shop-db-replica', 'mariadb'),
        ],
        monitoring: { prometheus: { url: prometheus.url } },
      }),
    );
  });
  afterAll(async () => {
    // in reverse: the backend, Prometheus, the exporters, then the databases
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch(() => undefined);
    }
  });

  /** The replicationLag panel's series of an entity (over the last hour). */
  async function lagSeries(name: string) {
    const res = await request(backend.server)
      .get(`/api/monitoring/entities/resource/default/${name}/panels?range=1h`)
      .set('authorization', dave);
    expect(res.status).toBe(200);
    return res.body.panels.find((p: any) => p.id === 'replicationLag')
      .series as Array<{ name: string; points: Array<[number, number]> }>;
  }
  /** The replica's lag now (the last point), once `ready` holds. */
  const lagWhen = (name: string, ready: (lag: number) => boolean) =>
    eventually(async () => {
      const series = await lagSeries(name);
      expect(series.map(s => s.name)).toEqual(['lag']);
      const lag = series[0].points.at(-1)![1];
      return ready(lag) ? lag : undefined;
    }, `the lag of ${name}`);
  /** What a primary has in the panel: its `up` scraped, and no lag series. */
  async function expectNoLagOnPrimary(name: string) {
    const res = await request(backend.server)
      .get(`/api/monitoring/entities/resource/default/${name}/panels?range=1h`)
      .set('authorization', dave);
    const up = res.body.panels.find((p: any) => p.id === 'up');
    expect(up.series[0].points.at(-1)[1]).toBe(1);
    expect(
      res.body.panels.find((p: any) => p.id === 'replicationLag').series,
    ).toEqual([]);
  }

  it('PostgreSQL: a replica whose replay is paused lags while the primary writes, the primary has no lag, resumed it falls to 0', async () => {
    await pg.primary.raw(
      'CREATE TABLE ledger (id serial PRIMARY KEY, at timestamptz DEFAULT now())',
    );
    const before = Date.now();
    await pg.primary.raw('INSERT INTO ledger DEFAULT VALUES');
    // replayed: the replica has the row and has caught up (lag 0)
    await eventually(async () => {
      const { rows } = await pg.replica.raw(
        'SELECT count(*)::int AS n FROM ledger',
      );
      return rows[0].n === 1 ? true : undefined;
    }, 'the row on the replica');
    expect(await lagWhen('ledger-db-replica', lag => lag === 0)).toBe(0);

    await pg.replica.raw('SELECT pg_wal_replay_pause()');
    await eventually(async () => {
      const { rows } = await pg.replica.raw(
        'SELECT pg_get_wal_replay_pause_state() AS state',
      );
      return rows[0].state === 'paused' ? true : undefined;
    }, 'replay paused');
    await pg.primary.raw('INSERT INTO ledger DEFAULT VALUES');
    // the replica received the WAL but has not replayed it
    const lag = await lagWhen('ledger-db-replica', l => l >= 2);
    // the age of the last replayed commit: no older than this test's first write
    expect(lag).toBeLessThanOrEqual((Date.now() - before) / 1000 + 2);
    const { rows } = await pg.replica.raw(
      'SELECT count(*)::int AS n FROM ledger',
    );
    expect(rows[0].n).toBe(1);
    await expectNoLagOnPrimary('ledger-db');

    await pg.replica.raw('SELECT pg_wal_replay_resume()');
    expect(await lagWhen('ledger-db-replica', l => l < lag)).toBe(0);
    const after = await pg.replica.raw('SELECT count(*)::int AS n FROM ledger');
    expect(after.rows[0].n).toBe(2);
  });

  it('MariaDB: a replica whose applier waits on a lock lags while the primary writes, the primary has no lag, released it falls to 0', async () => {
    await maria.primary.raw('CREATE DATABASE shop');
    await maria.primary.raw(
      'CREATE TABLE shop.stock (id int PRIMARY KEY, n int NOT NULL) ENGINE=InnoDB',
    );
    await maria.primary.raw('INSERT INTO shop.stock VALUES (1, 0)');
    await eventually(async () => {
      const [rows] = await maria.replica.raw(
        'SELECT n FROM shop.stock WHERE id = 1',
      );
      return rows.length === 1 ? true : undefined;
    }, 'the row on the replica');
    expect(await lagWhen('shop-db-replica', lag => lag === 0)).toBe(0);

    // a transaction on the replica holds the row the next event changes
    const hold = await maria.replica.transaction();
    try {
      await hold.raw('SELECT n FROM shop.stock WHERE id = 1 FOR UPDATE');
      const before = Date.now();
      await maria.primary.raw('UPDATE shop.stock SET n = n + 1 WHERE id = 1');
      const lag = await lagWhen('shop-db-replica', l => l >= 2);
      // Seconds_Behind_Master: the age of the event it is applying
      expect(lag).toBeLessThanOrEqual((Date.now() - before) / 1000 + 2);
      await expectNoLagOnPrimary('shop-db');
      await hold.commit();
      expect(await lagWhen('shop-db-replica', l => l < lag)).toBe(0);
    } finally {
      if (!hold.isCompleted()) await hold.rollback();
    }
    const [rows] = await maria.replica.raw(
      'SELECT n FROM shop.stock WHERE id = 1',
    );
    expect(rows[0].n).toBe(1);
  });

  it('MariaDB: a stopped SQL thread has no Seconds_Behind_Master (NULL), so no lag series, while slave_sql_running says 0', async () => {
    await maria.primary.raw('CREATE DATABASE IF NOT EXISTS shop');
    await maria.primary.raw('CREATE TABLE shop.orders (id int PRIMARY KEY)');
    await maria.replica.raw('STOP SLAVE SQL_THREAD');
    try {
      await maria.primary.raw('INSERT INTO shop.orders VALUES (1)');
      const e = matcher(
        'opsdeck_entity',
        '=',
        'resource:default/shop-db-replica',
      );
      await eventually(async () => {
        const running = await instantQuery(
          prometheusUrl,
          `mysql_slave_status_slave_sql_running{${e}}`,
        );
        return running.length === 1 && running[0].value === '0'
          ? true
          : undefined;
      }, 'the SQL thread seen stopped');
      // the panel's own PromQL, now
      const lag = STORE_PANELS.mariadb
        .find(p => p.id === 'replicationLag')!
        .queries[0].expr(e, '1m');
      expect(await instantQuery(prometheusUrl, lag)).toEqual([]);
    } finally {
      await maria.replica.raw('START SLAVE SQL_THREAD');
    }
    expect(await lagWhen('shop-db-replica', l => l === 0)).toBe(0);
    const [rows] = await maria.replica.raw('SELECT id FROM shop.orders');
    expect(rows).toEqual([{ id: 1 }]);
  });
});
