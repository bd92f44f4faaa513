import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { RotationInput } from '@opsdeck/plugin-monitoring-common';
import { isUniqueViolation } from '@opsdeck/plugin-opsdeck-node';
import { AlertStore } from './AlertStore';
import { OnCallStore } from './OnCallStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const rotation: RotationInput = {
  group: 'group:default/ops',
  name: 'Primary',
  members: ['user:default/olga', 'user:default/erin'],
  shift: { kind: 'weekly' },
  handoffTime: '09:30',
  timeZone: 'Asia/Shanghai',
  startDate: '2026-12-07',
};

describe.each(databases.eachSupportedId())('OnCallStore (%s)', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    // the plugin's migrations
    await AlertStore.create({ database: mockServices.database({ knex }) });
    return new OnCallStore(knex);
  }
  const at = new Date('2026-12-05T10:00:00Z');
  const later = new Date('2026-12-05T11:00:00Z');

  it('stores, lists, updates and deletes rotations', async () => {
    const s = await store();
    const r = await s.create(rotation, 'user:default/alice', at);
    expect(r).toEqual({
      id: r.id,
      ...rotation,
      createdBy: 'user:default/alice',
      createdAt: at.toISOString(),
      updatedBy: 'user:default/alice',
      updatedAt: at.toISOString(),
    });
    const dev = await s.create(
      {
        ...rotation,
        group: 'group:default/dev',
        members: ['user:default/dave'],
        shift: { kind: 'hours', hours: 12 },
      },
      'user:default/alice',
      at,
    );
    expect(dev.shift).toEqual({ kind: 'hours', hours: 12 });
    expect((await s.list()).map(x => x.id)).toEqual([dev.id, r.id]);
    expect(await s.list({ group: 'group:default/ops' })).toEqual([r]);
    // a group's rotation names are unique (checked by code: better-sqlite3's
    // errors are not instances of this test file's Error when the driver was
    // loaded by an earlier file of the same jest worker)
    const taken = await s.create(rotation, 'user:default/otto', at).then(
      () => undefined,
      e => e,
    );
    expect(isUniqueViolation(taken)).toBe(true);

    const updated = await s.update(
      r.id,
      { ...rotation, members: ['user:default/erin'], shift: { kind: 'daily' } },
      'user:default/otto',
      later,
    );
    expect(updated).toEqual({
      ...r,
      members: ['user:default/erin'],
      shift: { kind: 'daily' },
      updatedBy: 'user:default/otto',
      updatedAt: later.toISOString(),
    });
    expect(await s.update(9999, rotation, 'user:default/otto', later)).toBe(
      undefined,
    );

    await s.addOverride(
      r.id,
      {
        user: 'user:default/olga',
        start: '2026-12-06T00:00:00Z',
        end: '2026-12-07T00:00:00Z',
      },
      'user:default/alice',
      at,
    );
    expect(await s.delete(r.id)).toBe(true);
    expect(await s.delete(r.id)).toBe(false);
    expect(await s.get(r.id)).toBeUndefined();
    expect(await s.overrides([r.id])).toEqual([]);
  });

  it('keeps one of overlapping overrides, even in parallel', async () => {
    const s = await store();
    const r = await s.create(rotation, 'user:default/alice', at);
    const first = await s.addOverride(
      r.id,
      {
        user: 'user:default/olga',
        start: '2026-12-06T00:00:00Z',
        end: '2026-12-07T00:00:00Z',
      },
      'user:default/alice',
      at,
    );
    expect(first).toEqual({
      id: expect.any(Number),
      rotationId: r.id,
      user: 'user:default/olga',
      start: '2026-12-06T00:00:00.000Z',
      end: '2026-12-07T00:00:00.000Z',
      createdBy: 'user:default/alice',
      createdAt: at.toISOString(),
    });
    // inside, around, across either end: refused
    for (const [start, end] of [
      ['2026-12-06T06:00:00Z', '2026-12-06T07:00:00Z'],
      ['2026-12-05T00:00:00Z', '2026-12-08T00:00:00Z'],
      ['2026-12-05T12:00:00Z', '2026-12-06T00:00:01Z'],
      ['2026-12-06T23:59:59Z', '2026-12-07T12:00:00Z'],
    ]) {
      expect(
        await s.addOverride(
          r.id,
          { user: 'user:default/erin', start, end },
          'user:default/alice',
          at,
        ),
      ).toBe('overlap');
    }
    // touching: fine
    const next = await s.addOverride(
      r.id,
      {
        user: 'user:default/erin',
        start: '2026-12-07T00:00:00Z',
        end: '2026-12-07T06:00:00Z',
      },
      'user:default/alice',
      at,
    );
    expect(next).toMatchObject({ user: 'user:default/erin' });
    expect(
      await s.addOverride(
        9999,
        {
          user: 'user:default/erin',
          start: '2026-12-09T00:00:00Z',
          end: '2026-12-10T00:00:00Z',
        },
        'user:default/alice',
        at,
      ),
    ).toBe('missing');

    // 10 parallel overlapping overrides: exactly one is stored
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.addOverride(
          r.id,
          {
            user: 'user:default/erin',
            start: `2026-12-10T0${i}:00:00Z`,
            end: '2026-12-11T00:00:00Z',
          },
          'user:default/alice',
          at,
        ),
      ),
    );
    expect(results.filter(x => typeof x === 'object')).toHaveLength(1);
    expect(results.filter(x => x === 'overlap')).toHaveLength(9);
    expect(await s.overrides([r.id])).toHaveLength(3);
    // only those still to end after a time
    expect(
      await s.overrides([r.id], new Date('2026-12-07T00:00:00Z')),
    ).toHaveLength(2);

    const id = (first as { id: number }).id;
    expect(await s.getOverride(r.id, id)).toEqual(first);
    expect(await s.deleteOverride(r.id + 1, id)).toBe(false);
    expect(await s.deleteOverride(r.id, id)).toBe(true);
    expect(await s.getOverride(r.id, id)).toBeUndefined();
  });
});
