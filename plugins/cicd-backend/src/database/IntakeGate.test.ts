import { TestDatabases } from '@backstage/backend-test-utils';
import { IntakeGate } from './IntakeGate';
import { applyCicdMigrations } from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('IntakeGate (%s)', databaseId => {
  async function gate(limit: number) {
    const knex = await databases.init(databaseId);
    await applyCicdMigrations(knex);
    return { knex, gate: new IntakeGate(knex, { limit, windowMs: 60_000 }) };
  }

  it('lets exactly the limit of parallel takes through per source, in one statement each', async () => {
    const { gate: g } = await gate(5);
    const now = Date.UTC(2026, 11, 3, 13, 0, 10);
    const slots = await Promise.all(
      Array.from({ length: 20 }, () =>
        g.take(['ip:10.0.0.1', 'system:gitlab'], now),
      ),
    );
    expect(slots.filter(s => s.allowed)).toHaveLength(5);
    expect(slots[0].retryAfterSeconds).toBe(50);
    // another address claiming the same system is over the system's limit
    expect((await g.take(['ip:10.0.0.2', 'system:gitlab'], now)).allowed).toBe(
      false,
    );
    // another system from another address is counted apart
    expect((await g.take(['ip:10.0.0.3', 'system:drone'], now)).allowed).toBe(
      true,
    );
    // the next window starts from zero
    expect(
      (await g.take(['ip:10.0.0.1', 'system:gitlab'], now + 60_000)).allowed,
    ).toBe(true);
  });

  it('counts only failures: a slot given back frees its place', async () => {
    const { gate: g } = await gate(2);
    const now = Date.UTC(2026, 11, 3, 13, 5, 0);
    for (let i = 0; i < 10; i++) {
      const slot = await g.take(['ip:10.0.0.9', 'system:gitlab'], now);
      expect(slot.allowed).toBe(true);
      await g.giveBack(slot);
    }
    expect((await g.take(['ip:10.0.0.9', 'system:gitlab'], now)).allowed).toBe(
      true,
    );
    expect((await g.take(['ip:10.0.0.9', 'system:gitlab'], now)).allowed).toBe(
      true,
    );
    expect((await g.take(['ip:10.0.0.9', 'system:gitlab'], now)).allowed).toBe(
      false,
    );
  });

  it('prunes old windows', async () => {
    const { knex, gate: g } = await gate(2);
    const now = Date.UTC(2026, 11, 3, 13, 10, 0);
    await g.take(['ip:10.0.0.8'], now - 5 * 60_000);
    await g.take(['ip:10.0.0.8'], now);
    expect(await g.prune(now)).toBe(1);
    const [{ n }] = await knex('cicd_intake_gate').count({ n: '*' });
    expect(Number(n)).toBe(1);
  });
});
