import { TestDatabases } from '@backstage/backend-test-utils';
import { applyCicdMigrations } from './migrations';
import { OutboxStore } from './OutboxStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const NOW = Date.UTC(2026, 11, 3, 12);

function alert(number: number) {
  return {
    jobKey: 'main:shop/web@abc',
    number,
    owner: 'group:default/dev',
    payload: {
      title: `Build failed: shop #${number}`,
      severity: 'high' as const,
    },
  };
}

describe.each(databases.eachSupportedId())(
  'given-up alerts (%s)',
  databaseId => {
    async function store() {
      const knex = await databases.init(databaseId);
      await applyCicdMigrations(knex);
      return new OutboxStore(knex);
    }

    /** Writes an alert and fails it until it is given up. */
    async function giveUp(s: OutboxStore, number: number, at: number) {
      const id = (await s.enqueue(alert(number), at))!;
      const [claimed] = await s.claim({
        token: `t${number}`,
        now: at,
        leaseMs: 1000,
        limit: 1,
        id,
      });
      await s.failed(
        claimed,
        'notifications backend unavailable',
        { giveUp: true, nextAt: at },
        at,
      );
      return id;
    }

    it('lists given-up alerts newest first with their last error', async () => {
      const s = await store();
      await giveUp(s, 1, NOW);
      await giveUp(s, 2, NOW + 1000);
      await s.enqueue(alert(3), NOW); // pending: not listed
      const items = await s.givenUp();
      expect(
        items.map(i => [i.number, i.title, i.lastError, i.attempts]),
      ).toEqual([
        [2, 'Build failed: shop #2', 'notifications backend unavailable', 1],
        [1, 'Build failed: shop #1', 'notifications backend unavailable', 1],
      ]);
      expect(items[0]).toMatchObject({
        jobKey: 'main:shop/web@abc',
        owner: 'group:default/dev',
        givenUpAt: NOW + 1000,
      });
    });

    it('gives a given-up row to exactly one of many parallel retries (two replicas)', async () => {
      const s = await store();
      const id = await giveUp(s, 7, NOW);
      const replicas = [s, new OutboxStore((s as any).knex)];
      const got = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          replicas[i % 2].claimGivenUp({
            id,
            token: `r${i}`,
            now: NOW + 5000,
            leaseMs: 60_000,
          }),
        ),
      );
      const winners = got.filter(g => g !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ id, number: 7, attempts: 2 });
      // the winner holds it: neither the delivery task nor another retry
      // takes it while the claim lasts
      expect(
        await s.claim({
          token: 'task',
          now: NOW + 5000,
          leaseMs: 1,
          limit: 10,
        }),
      ).toEqual([]);
      expect(
        await s.claimGivenUp({
          id,
          token: 'late',
          now: NOW + 6000,
          leaseMs: 1,
        }),
      ).toBeUndefined();
      expect(await s.givenUp()).toEqual([]);
      // only the winner's token completes it
      expect(
        await s.sent({ ...winners[0]!, token: 'r-other' }, NOW + 7000),
      ).toBe(false);
      expect(await s.sent(winners[0]!, NOW + 7000)).toBe(true);
      expect((await s.get('main:shop/web@abc', 7))?.status).toBe('sent');
      // a sent row is not given up: no retry
      expect(
        await s.claimGivenUp({
          id,
          token: 'again',
          now: NOW + 8000,
          leaseMs: 1,
        }),
      ).toBeUndefined();
    });

    it('does not take back a pending or unknown row', async () => {
      const s = await store();
      const id = (await s.enqueue(alert(9), NOW))!;
      expect(
        await s.claimGivenUp({ id, token: 'x', now: NOW, leaseMs: 1 }),
      ).toBeUndefined();
      expect(
        await s.claimGivenUp({ id: 999_999, token: 'x', now: NOW, leaseMs: 1 }),
      ).toBeUndefined();
      expect((await s.get('main:shop/web@abc', 9))?.attempts).toBe(0);
    });
  },
);
