import { TestDatabases } from '@backstage/backend-test-utils';
import { AlertStore } from './AlertStore';
import { IntakeStore } from './IntakeStore';
import { applyCicdMigrations } from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'alert and replay gates (%s)',
  databaseId => {
    async function knex() {
      const k = await databases.init(databaseId);
      await applyCicdMigrations(k);
      return k;
    }

    it('lets exactly one of many parallel claims of a build through (two replicas, one alert)', async () => {
      const k = await knex();
      // two stores on one database: what two backend replicas hold
      const replicas = [new AlertStore(k), new AlertStore(k)];
      const claim = {
        jobKey: 'main:shop/web',
        number: 7,
        kind: 'failure' as const,
        entityRef: 'component:default/web',
        cause: 'npm-err',
      };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => replicas[i % 2].claim(claim)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      // the same build later (a restart, the next poll): nothing
      expect(await replicas[0].claim(claim)).toBe(false);
      // another build of the job is its own alert
      expect(await replicas[1].claim({ ...claim, number: 8 })).toBe(true);
    });

    it('records the first notice once and only moves a job state forward', async () => {
      const k = await knex();
      const store = new AlertStore(k);
      const first = await Promise.all([
        store.firstNotice({ jobKey: 'j', lastNumber: 5, failing: true }),
        store.firstNotice({ jobKey: 'j', lastNumber: 5, failing: true }),
      ]);
      expect(first.filter(Boolean)).toHaveLength(1);
      await store.advance({ jobKey: 'j', lastNumber: 6, failing: false });
      await store.advance({
        jobKey: 'j',
        lastNumber: 4,
        failing: true,
        lastCause: 'old',
      });
      expect(await store.state('j')).toEqual({
        jobKey: 'j',
        lastNumber: 6,
        failing: false,
        lastCause: undefined,
      });
      await store.advance({
        jobKey: 'new',
        lastNumber: 1,
        failing: true,
        lastCause: 'c',
      });
      expect(await store.state('new')).toMatchObject({
        lastNumber: 1,
        failing: true,
        lastCause: 'c',
      });
    });

    it('counts flaky causes from recoveries on the failed commit, per cause and per entity', async () => {
      const k = await knex();
      const store = new AlertStore(k);
      const base = {
        kind: 'recovery' as const,
        entityRef: 'component:default/web',
        flaky: true,
      };
      await store.claim({
        ...base,
        jobKey: 'a',
        number: 2,
        cause: 'jest-failure',
      });
      await store.claim({
        ...base,
        jobKey: 'a',
        number: 4,
        cause: 'jest-failure',
      });
      await store.claim({ ...base, jobKey: 'b', number: 2, cause: 'timeout' });
      await store.claim({
        ...base,
        jobKey: 'c',
        number: 2,
        entityRef: 'component:default/api',
        cause: 'timeout',
      });
      // a failure alert and a recovery without a located cause are not counted
      await store.claim({
        jobKey: 'a',
        number: 3,
        kind: 'failure',
        entityRef: base.entityRef,
        cause: 'jest-failure',
      });
      await store.claim({ ...base, jobKey: 'd', number: 9 });
      // a recovery on another commit than the failure (a fix): not flaky
      await store.claim({
        ...base,
        jobKey: 'a',
        number: 6,
        cause: 'jest-failure',
        flaky: false,
      });
      expect(await store.flaky()).toEqual([
        { cause: 'jest-failure', count: 2 },
        { cause: 'timeout', count: 2 },
      ]);
      expect(await store.flaky('component:default/web')).toEqual([
        { cause: 'jest-failure', count: 2 },
        { cause: 'timeout', count: 1 },
      ]);
    });

    it('accepts a delivery id once, whatever the number of parallel posts', async () => {
      const k = await knex();
      const replicas = [new IntakeStore(k), new IntakeStore(k)];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          replicas[i % 2].claimDelivery('delivery-0001', 1000),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await replicas[0].claimDelivery('delivery-0002', 1000)).toBe(true);
      // ids older than the window are forgotten
      expect(await replicas[0].pruneDeliveries(2000)).toBe(2);
      expect(await replicas[1].claimDelivery('delivery-0001', 3000)).toBe(true);
    });

    it('stores a posted build once and lists and reads it back as an intake build', async () => {
      const k = await knex();
      const store = new IntakeStore(k);
      const build = {
        entityRef: 'component:default/web',
        system: 'gitlab',
        job: 'shop/web:test',
        number: 3,
        result: 'FAILURE' as const,
        branch: 'main',
        url: 'https://gitlab.example.com/shop/web/-/jobs/3',
        timestamp: 1_700_000_000_000,
        durationMillis: 1234,
        log: 'line 1\nerror TS2322: nope\n',
        logTruncated: false,
      };
      expect(await store.add(build, 'delivery-a')).toBe(true);
      expect(
        await store.add({ ...build, result: 'SUCCESS' }, 'delivery-b'),
      ).toBe(false);
      const summary = {
        job: '@intake:gitlab/shop/web:test',
        instance: 'gitlab',
        jobPath: 'shop/web:test',
        number: 3,
        result: 'FAILURE',
        timestamp: build.timestamp,
        durationMillis: 1234,
        url: build.url,
        branch: 'main',
        source: 'intake',
      };
      expect(await store.list('component:default/web', 10)).toEqual([summary]);
      expect(await store.list('component:default/api', 10)).toEqual([]);
      expect(
        await store.get('component:default/web', 'gitlab', 'shop/web:test', 3),
      ).toEqual({
        summary,
        log: build.log,
        truncated: false,
      });
    });
  },
);
