/*
 * Crash-point tests of SQL changes: a real opsdeck backend process (the sql
 * plugin) killed after a backup, after a statement and before a change is
 * marked done, started again on the same data, on SQLite and on PostgreSQL.
 * The instance is a scratch database on the test PostgreSQL. Each change ends
 * exactly once: marked interrupted (failed) with the statements that ran kept
 * and their backups usable, never run again, never lost.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { CrashBackend, crashDatabases, GiveUp, waitFor } from './CrashBackend';

jest.setTimeout(900_000);

const PG_URL =
  process.env.OPSDECK_TEST_POSTGRES_URL ??
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

function pg(database: string) {
  if (!PG_URL)
    throw new Error(
      'OPSDECK_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)',
    );
  const u = new URL(PG_URL);
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
  };
}

async function withPg<T>(database: string, fn: (c: Client) => Promise<T>) {
  const c = new Client(pg(database));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe.each(crashDatabases())('sql change crash points on %s', database => {
  const suffix = randomBytes(4).toString('hex');
  const db = `crash_sql_${suffix}`;
  const reader = `crash_sql_ro_${suffix}`;
  const readPassword = randomBytes(12).toString('hex');
  const ref = 'resource:default/crash-pay-db';
  let backend: CrashBackend;

  const rows = () =>
    withPg(
      db,
      async c => (await c.query('SELECT id, v FROM t ORDER BY id')).rows,
    );

  beforeAll(async () => {
    await withPg('postgres', c => c.query(`CREATE DATABASE ${db}`));
    await withPg(db, async c => {
      await c.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await c.query(
        "INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')",
      );
      await c.query(`CREATE ROLE ${reader} LOGIN PASSWORD '${readPassword}'`);
      await c.query(`GRANT SELECT ON t TO ${reader}`);
    });
    const server = pg(db);
    backend = await CrashBackend.create({
      database,
      plugins: ['sql'],
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: { name: 'crash-pay-db', namespace: 'default' },
          spec: {
            type: 'database',
            engine: 'postgresql',
            address: server.host,
            port: server.port,
            database: db,
            credential: 'crash-pg-admin',
            credentials: {
              admin: 'crash-pg-admin',
              change: 'crash-pg-admin',
              read: 'crash-pg-read',
            },
            environment: 'test',
            owner: 'dba',
            system: 'crash-lab',
          },
        },
      ],
      config: {
        opsdeck: {
          sql: {
            execution: { heartbeatSeconds: 1, staleAfterSeconds: 3 },
            schedule: { intervalSeconds: 3600 },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await backend?.dispose();
    await withPg('postgres', async c => {
      await c.query(`DROP DATABASE IF EXISTS ${db}`);
      await c.query(`DROP ROLE IF EXISTS ${reader}`);
    });
  });

  async function credentials() {
    const server = pg(db);
    for (const [name, username, secret, allowedUses] of [
      [
        'crash-pg-admin',
        server.user,
        server.password,
        ['db-admin', 'db-change'],
      ],
      ['crash-pg-read', reader, readPassword, ['db-read']],
    ] as const) {
      const res = await backend.api('alice', 'POST', 'vault/credentials', {
        name,
        type: 'password',
        username,
        secret,
        owner: 'dba',
        allowedUses,
        description: 'crash test',
      });
      expect([201, 409]).toContain(res.status);
    }
  }

  /** Submitted by frank, approved by carol; returns its id. */
  async function approvedChange(sql: string): Promise<string> {
    const s = await backend.api('frank', 'POST', 'sql/changes', {
      instanceRef: ref,
      title: sql.slice(0, 60),
      sql,
      reason: 'crash test',
    });
    expect(s.status).toBe(201);
    const d = await backend.api(
      'carol',
      'POST',
      `sql/changes/${s.body.id}/decision`,
      { decision: 'approved' },
    );
    expect(d.body.status).toBe('approved');
    return s.body.id;
  }

  /** carol executes; the backend dies at the armed point before answering. */
  async function executeIntoCrash(id: string, point: string) {
    await backend
      .api('carol', 'POST', `sql/changes/${id}/execute`, {})
      .catch(() => undefined);
    await backend.waitForCrash(point);
  }

  /**
   * The change once the interrupted-change task has failed it. The task is
   * asked to run now through the scheduler's own trigger (the plugin's
   * `/.backstage/scheduler` API; a restart keeps the last run's schedule, so
   * unasked it may wait up to a minute): the task, not the test, fails the
   * change. That it also runs unasked is its registration as a periodic task.
   */
  async function interrupted(id: string) {
    const scheduler = 'sql/.backstage/scheduler/v1/tasks';
    const tasks = await backend.api('alice', 'GET', scheduler);
    expect(tasks.body.tasks).toContainEqual(
      expect.objectContaining({
        taskId: 'sql-fail-interrupted-changes',
        settings: expect.objectContaining({
          cadence: expect.stringMatching(/^P/),
        }),
      }),
    );
    const trigger = await backend.api(
      'alice',
      'POST',
      `${scheduler}/sql-fail-interrupted-changes/trigger`,
    );
    // 409: it is running right now
    expect([200, 409]).toContain(trigger.status);
    return waitFor(
      `change ${id} to be failed as interrupted`,
      async () => {
        const { body } = await backend.api('carol', 'GET', `sql/changes/${id}`);
        if (body?.status === 'failed') return body;
        if (['finished', 'rolled_back'].includes(body?.status)) {
          throw new GiveUp(`change ${id} is ${body.status}`);
        }
        return undefined;
      },
      120_000,
    );
  }

  it('a crash after the first of two statements: it stays done with its backup, the second never runs, rollback restores', async () => {
    await backend.start({ crashPoint: 'sql.change.after-statement#1' });
    await credentials();
    const id = await approvedChange(
      "UPDATE t SET v = 'changed' WHERE id = 1; UPDATE t SET v = 'changed' WHERE id = 2",
    );
    await executeIntoCrash(id, 'sql.change.after-statement#1');
    expect(await rows()).toEqual([
      { id: 1, v: 'changed' },
      { id: 2, v: 'two' },
      { id: 3, v: 'three' },
    ]);

    // the restart is the next test's armed start: recovery passes no crash point
    await backend.start({ crashPoint: 'sql.change.after-backup' });
    const change = await interrupted(id);
    expect(change.error).toMatch(/^interrupted/);
    expect(change.runs).toEqual([
      expect.objectContaining({ index: 0, status: 'done', affectedRows: 1 }),
    ]);
    const back = await backend.api(
      'carol',
      'POST',
      `sql/changes/${id}/rollback`,
      {},
    );
    expect(back.body.restoredRows).toBe(1);
    expect(await rows()).toEqual([
      { id: 1, v: 'one' },
      { id: 2, v: 'two' },
      { id: 3, v: 'three' },
    ]);
  });

  it('a crash after the backup, before the UPDATE: nothing changed, nothing recorded, the change is failed once', async () => {
    const id = await approvedChange("UPDATE t SET v = 'gone' WHERE id = 3");
    await executeIntoCrash(id, 'sql.change.after-backup');
    expect(await rows()).toEqual([
      { id: 1, v: 'one' },
      { id: 2, v: 'two' },
      { id: 3, v: 'three' },
    ]);
    await backend.start({ crashPoint: 'sql.change.before-done' });
    const change = await interrupted(id);
    expect(change.runs).toEqual([]);
    // a second execute is refused: the change does not run twice
    const again = await backend.api(
      'carol',
      'POST',
      `sql/changes/${id}/execute`,
      {},
    );
    expect(again.status).toBe(409);
    expect(await rows()).toEqual([
      { id: 1, v: 'one' },
      { id: 2, v: 'two' },
      { id: 3, v: 'three' },
    ]);
  });

  it('a crash after every statement ran, before the change is marked done: failed with all runs kept, rollback restores', async () => {
    const id = await approvedChange("UPDATE t SET v = 'last' WHERE id = 2");
    await executeIntoCrash(id, 'sql.change.before-done');
    expect((await rows())[1]).toEqual({ id: 2, v: 'last' });
    await backend.start();
    const change = await interrupted(id);
    expect(change.runs).toEqual([
      expect.objectContaining({ index: 0, status: 'done', affectedRows: 1 }),
    ]);
    const back = await backend.api(
      'carol',
      'POST',
      `sql/changes/${id}/rollback`,
      {},
    );
    expect(back.body.restoredRows).toBe(1);
    expect((await rows())[1]).toEqual({ id: 2, v: 'two' });
  });
});
