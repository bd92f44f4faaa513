import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { AlertStore } from '../database/AlertStore';
import { applyCicdMigrations } from '../database/migrations';
import { OutboxStore } from '../database/OutboxStore';
import { AlertDelivery } from './AlertDelivery';
import { AlertEngine, type ObservedBuild } from './AlertEngine';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const LIMITS = {
  maxAttempts: 3,
  backoffMs: 1000,
  maxBackoffMs: 60_000,
  leaseMs: 60_000,
  batch: 10,
  retentionMs: 86_400_000,
};
const target = {
  entityRef: 'component:default/web',
  owner: 'group:default/dev',
};
const build = (
  number: number,
  result: ObservedBuild['result'],
  timestamp?: number,
): ObservedBuild => ({
  number,
  result,
  branch: 'main',
  url: `https://ci.example.com/${number}`,
  ...(timestamp !== undefined ? { timestamp } : {}),
});

// Two builds of one job ending close together: the fail/recover state moves
// with one conditional statement (AlertStore.transition), so observers on
// several replicas neither skip nor double an alert.
describe.each(databases.eachSupportedId())(
  'builds of one job ending close together (%s)',
  databaseId => {
    async function replicas(count: number) {
      const knex = await databases.init(databaseId);
      await applyCicdMigrations(knex);
      const sent: NotificationSendOptions[] = [];
      const engines = Array.from(
        { length: count },
        () =>
          new AlertEngine({
            store: new AlertStore(knex),
            delivery: new AlertDelivery({
              store: new OutboxStore(knex),
              notifications: { send: async o => void sent.push(o) },
              logger: mockServices.logger.mock(),
              limits: LIMITS,
            }),
            mainBranches: ['main'],
            logger: mockServices.logger.mock(),
          }),
      );
      return { engines, sent, store: new AlertStore(knex) };
    }
    const titles = (sent: NotificationSendOptions[], job: string) =>
      sent
        .map(n => n.payload.title)
        .filter(t => t.includes(` ${job} `))
        .sort();

    it('sends one recovery when two successes after a failure are seen at once on several replicas', async () => {
      const { engines, sent, store } = await replicas(8);
      const jobs = Array.from({ length: 10 }, (_, i) => `job${i}`);
      for (const job of jobs) {
        await store.firstNotice({
          jobKey: job,
          lastNumber: 4,
          failing: true,
          lastCause: 'typescript-compile',
        });
      }
      // each replica sees only one of the two new builds (as two intake
      // posts on two replicas do)
      await Promise.all(
        jobs.flatMap(job =>
          engines.map((e, i) =>
            e.observe(target, job, job, [build(5 + (i % 2), 'SUCCESS')], {
              firstNotice: 'alert',
              locate: async () => undefined,
            }),
          ),
        ),
      );
      for (const job of jobs) {
        // one recovery: the first success the state moved over from the
        // failure (#5, or #6 when #6 was recorded first and #5 came late)
        const got = titles(sent, job);
        expect([job, got.length]).toEqual([job, 1]);
        expect(got[0]).toMatch(
          new RegExp(`^Build fixed: web ${job} #[56] \\(main\\)$`),
        );
        expect(await store.state(job)).toMatchObject({
          lastNumber: 6,
          failing: false,
        });
      }
    });

    it('alerts a failure and the success after it, seen at once in any order, each once', async () => {
      const { engines, sent, store } = await replicas(4);
      const jobs = Array.from({ length: 10 }, (_, i) => `job${i}`);
      for (const job of jobs) {
        await store.firstNotice({ jobKey: job, lastNumber: 4, failing: false });
      }
      await Promise.all(
        jobs.flatMap((job, j) =>
          engines.map((e, i) =>
            e.observe(
              target,
              job,
              job,
              // half the jobs: the success is seen first
              [(i + j) % 2 ? build(5, 'FAILURE') : build(6, 'SUCCESS')],
              { firstNotice: 'alert', locate: async () => undefined },
            ),
          ),
        ),
      );
      for (const job of jobs) {
        const got = titles(sent, job);
        // the failure is never skipped, nothing is sent twice
        expect(
          got.filter(t => t === `Build failed: web ${job} #5 (main)`),
        ).toHaveLength(1);
        expect(got.length - 1).toBeLessThanOrEqual(1);
        expect(new Set(got).size).toBe(got.length);
        expect((await store.state(job))?.lastNumber).toBe(6);
      }
    });

    it('does not move past a build still running, so its failure is not skipped (Jenkins poller)', async () => {
      const { engines, sent, store } = await replicas(1);
      const [engine] = engines;
      const now = Date.now();
      await store.firstNotice({ jobKey: 'jk', lastNumber: 4, failing: false });
      const poll = (builds: ObservedBuild[]) =>
        engine.observe(target, 'jk', 'web', builds, {
          firstNotice: 'silent',
          locate: async () => undefined,
        });
      // #5 and #6 run at once; #6 ends first
      await poll([build(6, 'SUCCESS', now), build(5, 'RUNNING', now - 1000)]);
      expect((await store.state('jk'))?.lastNumber).toBe(4);
      expect(sent).toHaveLength(0);
      // #5 ends failed: alerted, and #6 after it is the recovery
      await poll([build(6, 'SUCCESS', now), build(5, 'FAILURE', now - 1000)]);
      expect(sent.map(n => n.payload.title)).toEqual([
        'Build failed: web web #5 (main)',
        'Build fixed: web web #6 (main)',
      ]);
      // a build stuck running for more than a day holds nothing back
      await poll([
        build(8, 'FAILURE', now),
        build(7, 'RUNNING', now - 25 * 3_600_000),
      ]);
      expect(sent.map(n => n.payload.title).at(-1)).toBe(
        'Build failed: web web #8 (main)',
      );
    });
  },
);
