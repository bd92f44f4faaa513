import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import { DEFAULT_MASKING_RULES, Masker } from '../console/masking';
import { DatabaseSqlStore } from '../database/DatabaseSqlStore';
import { sqlDriver } from '../engines';
import { instanceEntity, testSecret } from '../__testUtils__/instanceEntity';
import { createReadLogin, type ReadLogin } from '../__testUtils__/readLogins';
import { scratchName, testServer } from '../__testUtils__/servers';
import { Actor, INTERRUPTED_REASON, SqlService } from './SqlService';

jest.setTimeout(60_000);

// The plugin's own tables on the real PostgreSQL, and the change runs on a
// scratch database of the same real server.
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const server = testServer('postgresql');
const driver = sqlDriver('postgresql');
const scratch = scratchName('opsdeck_sql_sched');
let read: ReadLogin;

function actor(name: string, groups: string[]): Actor {
  return {
    userRef: `user:default/${name}`,
    ownership: [
      `user:default/${name}`,
      ...groups.map(g => `group:default/${g}`),
    ],
    credentials: mockCredentials.user(`user:default/${name}`),
  };
}

/** Audit events as recorded by the service (no request: a background task). */
interface RecordedEvent {
  eventId: string;
  meta?: Record<string, unknown>;
  outcome?: 'success' | 'fail';
  result?: Record<string, unknown>;
}

/** One replica: its own store and service objects on the shared database. */
async function replica(
  knex: Knex,
  sent: NotificationSendOptions[],
  events: RecordedEvent[] = [],
) {
  const store = await DatabaseSqlStore.create({
    database: mockServices.database({ knex }),
  });
  return new SqlService({
    store,
    catalog: catalogServiceMock({
      entities: [instanceEntity('sched-db', 'postgresql', server, scratch)],
    }),
    auth: mockServices.auth(),
    getSecret: testSecret(server, read),
    masker: new Masker(DEFAULT_MASKING_RULES),
    limits: { maxRows: 10, timeoutMs: 5000 },
    heartbeatMs: 100,
    logger: mockServices.logger.mock(),
    notifications: { send: async n => void sent.push(n) },
    auditor: {
      createEvent: async options => {
        const e: RecordedEvent = {
          eventId: options.eventId,
          meta: options.meta as Record<string, unknown>,
        };
        events.push(e);
        return {
          success: async o => {
            e.outcome = 'success';
            e.result = o?.meta as Record<string, unknown>;
          },
          fail: async () => {
            e.outcome = 'fail';
          },
        };
      },
    },
  });
}

beforeAll(async () => {
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`CREATE DATABASE ${scratch}`);
  await admin.close();
  const s = await driver.connect({ ...server, database: scratch });
  await s.query('CREATE TABLE runs (id serial PRIMARY KEY, note text)');
  await s.close();
  read = await createReadLogin('postgresql', server, scratch);
});

afterAll(async () => {
  await read?.drop();
  const admin = await driver.connect({ ...server, database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS ${scratch}`);
  await admin.close();
});

describe('scheduled execution', () => {
  it('runs a change scheduled 2 s ahead exactly once with two scheduler loops racing', async () => {
    const knex = await databases.init('POSTGRES_15');
    const sent: NotificationSendOptions[] = [];
    const first = await replica(knex, sent);
    const frank = actor('frank', ['dev']);
    const carol = actor('carol', ['dba']);

    const change = await first.changes.submit(frank, {
      instanceRef: 'resource:default/sched-db',
      title: 'record a run',
      sql: "INSERT INTO runs (note) VALUES ('scheduled')",
    });
    await expect(
      first.changes.schedule(carol, change.id, new Date(Date.now() + 2000)),
    ).rejects.toThrow(/only approved changes can be scheduled/);
    await first.changes.decide(carol, change.id, 'approved');
    await expect(
      first.changes.schedule(carol, change.id, new Date(Date.now() - 1000)),
    ).rejects.toThrow(/must be in the future/);
    const at = new Date(Date.now() + 2000);
    const scheduled = await first.changes.schedule(carol, change.id, at);
    expect(scheduled).toMatchObject({
      status: 'scheduled',
      scheduledAt: at.toISOString(),
      scheduledBy: 'user:default/carol',
    });
    // not due a moment before its time
    expect(
      await first.changes.runDueChanges(new Date(at.getTime() - 1)),
    ).toEqual([]);

    // A "restarted" replica finds the change in the database; both loop.
    const second = await replica(knex, sent);
    const ran: string[][] = [];
    let stop = false;
    const loop = async (service: SqlService) => {
      while (!stop) {
        ran.push(await service.changes.runDueChanges());
        await new Promise(r => setTimeout(r, 20));
      }
    };
    const loops = [loop(first), loop(second), loop(second)];
    let done;
    for (;;) {
      done = await first.changes.getChange(change.id);
      if (!['scheduled', 'executing'].includes(done.status)) break;
      await new Promise(r => setTimeout(r, 100));
    }
    stop = true;
    await Promise.all(loops);

    expect(done.status).toBe('finished');
    expect(done.executedBy).toBe('user:default/carol');
    expect(done.runs).toEqual([
      expect.objectContaining({ index: 0, status: 'done', affectedRows: 1 }),
    ]);
    expect(ran.flat()).toEqual([change.id]);
    const s = await driver.connect({ ...server, database: scratch });
    const rows = await s.query('SELECT note FROM runs');
    await s.close();
    expect(rows.rows).toEqual([['scheduled']]);
    // not run again later
    expect(
      await second.changes.runDueChanges(new Date(Date.now() + 60_000)),
    ).toEqual([]);

    expect(
      sent.map(n => [n.recipients, n.payload.title.split(':')[0]]),
    ).toEqual([
      [
        {
          type: 'entity',
          entityRef: 'group:default/dba',
          excludeEntityRef: 'user:default/frank',
        },
        'SQL change to approve',
      ],
      [
        { type: 'entity', entityRef: 'user:default/frank' },
        'SQL change approved',
      ],
      [
        { type: 'entity', entityRef: 'user:default/frank' },
        'SQL change executed',
      ],
    ]);
  });

  it('cancels a schedule before the claim; after the claim the change runs and cancelling is refused', async () => {
    const knex = await databases.init('POSTGRES_15');
    const service = await replica(knex, []);
    const frank = actor('frank', ['dev']);
    const carol = actor('carol', ['dba']);
    const approvedInsert = async (note: string) => {
      const c = await service.changes.submit(frank, {
        instanceRef: 'resource:default/sched-db',
        title: note,
        sql: `INSERT INTO runs (note) VALUES ('${note}')`,
      });
      await service.changes.decide(carol, c.id, 'approved');
      return c.id;
    };
    const notes = async () => {
      const s = await driver.connect({ ...server, database: scratch });
      try {
        return (await s.query('SELECT note FROM runs ORDER BY id')).rows
          .flat()
          .filter(n => String(n).startsWith('unsched'));
      } finally {
        await s.close();
      }
    };
    const later = new Date(Date.now() + 3600_000);
    const afterThat = new Date(later.getTime() + 1000);

    const cancelled = await approvedInsert('unsched-cancelled');
    await service.changes.schedule(carol, cancelled, later);
    const back = await service.changes.unschedule(cancelled);
    expect(back).toMatchObject({ status: 'approved', runs: [] });
    expect(back.scheduledAt).toBeUndefined();
    expect(await service.changes.runDueChanges(afterThat)).toEqual([]);
    await expect(service.changes.unschedule(cancelled)).rejects.toThrow(
      /approved, not scheduled/,
    );

    // the scheduler's claim comes first: the change runs, the cancel is a 409
    const claimed = await approvedInsert('unsched-claimed');
    await service.changes.schedule(carol, claimed, later);
    expect(await service.changes.runDueChanges(afterThat)).toEqual([claimed]);
    const error = await service.changes.unschedule(claimed).catch(e => e);
    expect(error).toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(/finished: it has already been started/),
    });
    expect(await notes()).toEqual(['unsched-claimed']);
    expect((await service.changes.getChange(cancelled)).status).toBe(
      'approved',
    );
  });

  it('fails a change left executing by a stopped replica, keeping its results', async () => {
    const knex = await databases.init('POSTGRES_15');
    const sent: NotificationSendOptions[] = [];
    const events: RecordedEvent[] = [];
    const service = await replica(knex, sent, events);
    const frank = actor('frank', ['dev']);
    const carol = actor('carol', ['dba']);
    const submit = () =>
      service.changes.submit(frank, {
        instanceRef: 'resource:default/sched-db',
        title: 'record a run',
        sql: "INSERT INTO runs (note) VALUES ('interrupted')",
      });
    const crashed = await submit();
    const running = await submit();
    for (const c of [crashed, running]) {
      await service.changes.decide(carol, c.id, 'approved');
    }
    // A replica claimed `crashed` ten minutes ago, ran its first statement
    // and died; `running` was claimed just now by a live replica.
    const tenMinutesAgo = Date.now() - 10 * 60_000;
    const oldClock = new DatabaseSqlStore(knex, () => tenMinutesAgo);
    expect(
      await oldClock.updateChange(crashed.id, ['approved'], {
        status: 'executing',
        executedBy: carol.userRef,
      }),
    ).toBe(true);
    await oldClock.saveRun(crashed.id, {
      index: 0,
      status: 'done',
      affectedRows: 1,
      durationMs: 3,
    });
    const store = new DatabaseSqlStore(knex);
    await store.updateChange(running.id, ['approved'], {
      status: 'executing',
    });
    sent.length = 0;

    expect(await service.changes.recoverInterruptedChanges(5 * 60_000)).toEqual(
      [crashed.id],
    );
    const failed = await service.changes.getChange(crashed.id);
    expect(failed).toMatchObject({
      status: 'failed',
      error: INTERRUPTED_REASON,
      executedBy: 'user:default/carol',
    });
    expect(failed.runs).toEqual([
      expect.objectContaining({ index: 0, status: 'done', affectedRows: 1 }),
    ]);
    expect((await service.changes.getChange(running.id)).status).toBe(
      'executing',
    );
    expect(events).toEqual([
      expect.objectContaining({
        eventId: 'sql-change-interrupted',
        outcome: 'success',
        result: expect.objectContaining({ changeId: crashed.id, failed: true }),
      }),
    ]);
    expect(sent.map(n => [n.recipients, n.payload.title])).toEqual([
      [
        { type: 'entity', entityRef: 'user:default/frank' },
        'SQL change failed: record a run',
      ],
    ]);
    expect(sent[0].payload.description).toBe(INTERRUPTED_REASON);
    // nothing more to do on the next run
    expect(await service.changes.recoverInterruptedChanges(5 * 60_000)).toEqual(
      [],
    );
  });

  it('keeps the heartbeat of a long-running change fresh, so recovery leaves it alone', async () => {
    const knex = await databases.init('POSTGRES_15');
    const sent: NotificationSendOptions[] = [];
    const service = await replica(knex, sent);
    const other = await replica(knex, sent);
    const frank = actor('frank', ['dev']);
    const carol = actor('carol', ['dba']);
    const s = await driver.connect({ ...server, database: scratch });
    await s.query("INSERT INTO runs (note) VALUES ('long')");
    // the test holds the row for 3 s: the change's backup (FOR UPDATE) waits for it
    await s.query('BEGIN');
    await s.query("SELECT id FROM runs WHERE note = 'long' FOR UPDATE");
    const change = await service.changes.submit(frank, {
      instanceRef: 'resource:default/sched-db',
      title: 'a slow update',
      sql: "UPDATE runs SET note = 'long done' WHERE note = 'long'",
      reason: 'test',
    });
    await service.changes.decide(carol, change.id, 'approved');
    const running = service.changes.execute(carol, change.id);
    setTimeout(() => void s.query('COMMIT').then(() => s.close()), 3000);
    // another replica looks for changes without a heartbeat for 1 s
    const recovered: string[] = [];
    let done = false;
    const watch = (async () => {
      while (!done) {
        recovered.push(
          ...(await other.changes.recoverInterruptedChanges(1000)),
        );
        await new Promise(r => setTimeout(r, 100));
      }
    })();
    const result = await running.finally(() => {
      done = true;
    });
    await watch;
    expect(recovered).toEqual([]);
    expect(result).toMatchObject({ status: 'finished' });
    expect(result.runs).toEqual([
      expect.objectContaining({ status: 'done', affectedRows: 1 }),
    ]);
  });
});
