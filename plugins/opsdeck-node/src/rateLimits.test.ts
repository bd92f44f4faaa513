import { TestDatabases } from '@backstage/backend-test-utils';
import express from 'express';
import type { Knex } from 'knex';
import request from 'supertest';
import { createRateLimiter, rateLimitMigrations } from './rateLimits';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('createRateLimiter (%s)', id => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(id);
  });

  const limiter = (limit: number, windowMs = 60_000, code = 'test-limited') =>
    createRateLimiter(knex, { code, limit, windowMs });

  it('allows `limit` calls of a person per subject, then refuses with the wait', async () => {
    const sends = await limiter(3);
    for (const hits of [1, 2, 3]) {
      expect(await sends.take({ person: 'user:a', subject: 'x' })).toEqual({
        allowed: true,
        hits,
      });
    }
    const refused = await sends.take({ person: 'user:a', subject: 'x' });
    expect(refused.allowed).toBe(false);
    expect(refused).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    const wait = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    // a refusal counts nothing
    const [row] = await knex('opsdeck_rate_limits').where(
      'key',
      JSON.stringify(['test-limited', 'user:a', 'x']),
    );
    expect(Number(row.hits)).toBe(3);
    // another subject, another person, another limit code: their own counters
    expect(await sends.take({ person: 'user:a', subject: 'y' })).toMatchObject({
      allowed: true,
    });
    expect(await sends.take({ person: 'user:b', subject: 'x' })).toMatchObject({
      allowed: true,
    });
    const other = await limiter(3, 60_000, 'other-limited');
    expect(await other.take({ person: 'user:a', subject: 'x' })).toMatchObject({
      allowed: true,
    });
  });

  it('starts a new window once the last one is over', async () => {
    const polls = await limiter(2);
    const call = { person: 'user:c' };
    await polls.take(call);
    await polls.take(call);
    expect((await polls.take(call)).allowed).toBe(false);
    // age the window past its end (the database's clock judges it)
    await knex('opsdeck_rate_limits')
      .where('key', JSON.stringify(['test-limited', 'user:c', null]))
      .update({ window_started_at: 0 });
    expect(await polls.take(call)).toEqual({ allowed: true, hits: 1 });
    expect(await polls.take(call)).toEqual({ allowed: true, hits: 2 });
    expect((await polls.take(call)).allowed).toBe(false);
  });

  it('lets exactly `limit` of twenty parallel calls through', async () => {
    const sends = await limiter(5);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        sends.take({ person: 'user:d', subject: 'race' }),
      ),
    );
    expect(results.filter(r => r.allowed)).toHaveLength(5);
    expect(
      results
        .filter(r => r.allowed)
        .map(r => (r as { hits: number }).hits)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers 429 with a coded refusal and Retry-After through enforce()', async () => {
    const sends = await limiter(1, 60_000, 'test-rate-limited');
    const work = jest.fn();
    const app = express();
    app.post('/send', (req, res, next) => {
      sends
        .enforce(res, { person: String(req.query.who) })
        .then(() => {
          work();
          res.json({ ok: true });
        })
        .catch(next);
    });
    app.use(
      (
        err: Error & { statusCode?: number },
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => res.status(err.statusCode ?? 500).json({ error: { ...err } }),
    );
    expect((await request(app).post('/send?who=e')).status).toBe(200);
    const refused = await request(app).post('/send?who=e');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body.error).toMatchObject({
      code: 'test-rate-limited',
      limit: 1,
      retryAfterSeconds: Number(refused.headers['retry-after']),
    });
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('refuses a bad limit, window or code', async () => {
    await expect(limiter(0)).rejects.toThrow(/whole number/);
    await expect(limiter(2, 0.5)).rejects.toThrow(/whole ms/);
    await expect(limiter(2, 1000, 'Bad')).rejects.toThrow(/error code/);
  });

  it('migrates its table more than once without harm', async () => {
    await rateLimitMigrations.apply(knex);
    expect(await knex.schema.hasTable('opsdeck_rate_limits')).toBe(true);
  });
});
