import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { generated } from '../testUtils/reports';
import { DatabaseReportStore } from './DatabaseReportStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const t0 = new Date('2026-03-09T00:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const STALE_MS = 15 * 60_000;

describe.each(databases.eachSupportedId())(
  'DatabaseReportStore (%s)',
  databaseId => {
    async function store() {
      const knex = await databases.init(databaseId);
      return {
        knex,
        store: await DatabaseReportStore.create({
          database: mockServices.database({ knex }),
        }),
      };
    }

    it('keeps one report per scope and week, whoever writes it (parallel writers)', async () => {
      const { store: s } = await store();
      const report = generated('org', '2026-03-02', {
        'sql.executed': 3,
        'jobs.failed': 1,
      });
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          s.insert(report, { createdAt: t0, sendAt: later(3_600_000) }),
        ),
      );
      const ids = results.filter(r => r !== undefined);
      expect(ids).toHaveLength(1);
      const stored = await s.get(ids[0]!);
      expect(stored).toMatchObject({
        scope: 'org',
        weekStart: '2026-03-02',
        state: 'draft',
        figures: expect.objectContaining({
          'sql.executed': 3,
          'jobs.failed': 1,
          'docs.new': 0,
        }),
      });
      const records = await s.records(ids[0]!, 'sql.executed', {
        limit: 2,
        offset: 1,
      });
      expect(records.total).toBe(3);
      expect(records.items.map(r => r.label)).toEqual([
        'sql.executed #2',
        'sql.executed #3',
      ]);
      expect(await s.scopesOfWeek('2026-03-02')).toEqual(['org']);
      // another week of the same scope is a different report
      expect(
        await s.insert(generated('org', '2026-03-09'), {
          createdAt: t0,
          sendAt: t0,
        }),
      ).toBeDefined();
    });

    it('lets exactly one of many parallel senders claim a due report', async () => {
      const { knex, store: s } = await store();
      const id = (await s.insert(generated('group:default/ops'), {
        createdAt: t0,
        sendAt: later(60_000),
      }))!;
      // not due yet
      expect(await s.due(t0, STALE_MS)).toEqual([]);
      expect(await s.claim(id, 'early', t0, STALE_MS, false)).toBe(false);

      const now = later(120_000);
      expect(await s.due(now, STALE_MS)).toEqual([id]);
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          s.claim(id, `r${i}`, now, STALE_MS, false),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      const winner = `r${claims.indexOf(true)}`;
      // a live claim is not due, nor taken over
      expect(await s.due(now, STALE_MS)).toEqual([]);
      expect(await s.claim(id, 'late', now, STALE_MS, false)).toBe(false);
      expect(await s.touch(id, winner)).toBe(true);
      // not even by a replica whose clock runs hours ahead: the claim's age
      // is the database's business
      const ahead = later(120_000 + 10 * STALE_MS);
      expect(await s.due(ahead, STALE_MS)).toEqual([]);
      expect(await s.claim(id, 'ahead', ahead, STALE_MS, false)).toBe(false);
      // the winner stopped renewing: its claim went stale (written, not waited for)
      await knex('reports')
        .where({ id })
        .update({ claimed_at: knex.raw('claimed_at - ?', [STALE_MS + 1]) });
      expect(await s.due(now, STALE_MS)).toEqual([id]);
      expect(await s.claim(id, 'takeover', now, STALE_MS, false)).toBe(true);
      expect(await s.touch(id, winner)).toBe(false);
      expect(await s.markSent(id, winner, now)).toBe(false);
      expect(await s.markSent(id, 'takeover', now)).toBe(true);
      expect((await s.get(id))!.state).toBe('sent');
      expect(await s.claim(id, 'again', later(99 * 60_000), 0, true)).toBe(
        false,
      );
    });

    it('records each mail once and freezes highlights when sending starts', async () => {
      const { store: s } = await store();
      const id = (await s.insert(generated('org'), {
        createdAt: t0,
        sendAt: t0,
      }))!;
      expect(
        await s.setHighlights(id, {
          text: '本周上线 3 个服务',
          lang: 'zh-CN',
          by: 'user:default/bob',
          at: t0,
        }),
      ).toBe(true);
      expect((await s.get(id))!.highlights).toMatchObject({
        text: '本周上线 3 个服务',
        lang: 'zh-CN',
      });

      expect(await s.claim(id, 'tok', t0, STALE_MS, true)).toBe(true);
      expect(
        await s.setHighlights(id, {
          text: 'too late',
          lang: 'en',
          by: 'user:default/bob',
          at: t0,
        }),
      ).toBe(false);
      await s.setRendered(id, 'subject', '<p>first</p>');
      await s.setRendered(id, 'other', '<p>second</p>');
      expect((await s.get(id))!.html).toBe('<p>first</p>');

      const d = {
        reportId: id,
        recipient: 'bob@example.com',
        userRef: 'user:default/bob',
      };
      const begins = await Promise.all([
        s.beginDelivery(d, t0),
        s.beginDelivery(d, t0),
        s.beginDelivery(d, t0),
      ]);
      expect(begins.filter(b => b === undefined)).toHaveLength(1);
      await s.finishDelivery(
        id,
        d.recipient,
        'failed',
        t0,
        'connection refused',
      );
      expect(await s.retryDelivery(id, d.recipient, t0)).toBe(true);
      expect(await s.retryDelivery(id, d.recipient, t0)).toBe(false);
      await s.finishDelivery(id, d.recipient, 'sent', t0);
      expect(await s.deliveries(id)).toEqual([
        expect.objectContaining({
          recipient: 'bob@example.com',
          state: 'sent',
          attempts: 2,
        }),
      ]);
      expect(await s.deliveryCounts(id)).toEqual({
        sent: 1,
        failed: 0,
        uncertain: 0,
        pending: 0,
      });
    });

    it('stores only the hash of a feed token, one per user', async () => {
      const { store: s, knex } = await store();
      await s.setFeedToken('user:default/erin', 'a'.repeat(64), t0);
      await s.setFeedToken('user:default/erin', 'b'.repeat(64), t0);
      expect(await s.feedTokenUser('a'.repeat(64), t0)).toBeUndefined();
      expect(await s.feedTokenUser('b'.repeat(64), t0)).toBe(
        'user:default/erin',
      );
      expect(await knex('report_feed_tokens').count({ n: '*' })).toEqual([
        { n: expect.anything() },
      ]);
      expect(await s.deleteFeedToken('user:default/erin')).toBe(true);
      expect(await s.feedTokenUser('b'.repeat(64), t0)).toBeUndefined();
    });
  },
);
