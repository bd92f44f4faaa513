import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { onCallAt } from '@opsdeck/plugin-monitoring-common';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});
const user = (name: string, groups: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: groups },
  relations: groups.map(g => ({
    type: 'memberOf',
    targetRef: `group:default/${g}`,
  })),
});

const rotation = {
  group: 'group:default/ops',
  name: 'Primary',
  members: ['user:default/olga', 'user:default/erin'],
  shift: { kind: 'daily' },
  handoffTime: '09:00',
  timeZone: 'Asia/Shanghai',
  startDate: '2026-01-01',
};

describe.each(databases.eachSupportedId())('on-call API (%s)', databaseId => {
  let backend: MonitoringBackend;

  beforeAll(async () => {
    backend = await startMonitoringBackend({
      knex: await databases.init(databaseId),
      entities: [
        hostEntity('web-01', '127.0.0.1:9100'), // owner ops
        group('ops'),
        group('dev'),
        user('olga', ['ops']),
        user('erin', ['ops']),
        user('dave', ['dev']),
      ],
      // the dev group is hidden from otto (an ops lead who manages rules)
      visibleTo: (ref, entity) =>
        !(ref === 'user:default/otto' && entity.metadata.name === 'dev'),
      monitoring: {
        channels: [{ name: 'portal', type: 'notifications', owners: [] }],
      },
    });
  });
  afterAll(() => backend?.stop());

  const api = (method: 'get' | 'post' | 'put' | 'delete', path: string) =>
    request(backend.server)[method](`/api/monitoring/oncall${path}`);

  it('refuses people without the permission before anything else', async () => {
    for (const [who, method, path] of [
      ['olga', 'post', '/rotations'],
      ['dave', 'put', '/rotations/1'],
      ['olga', 'delete', '/rotations/1'],
      ['olga', 'post', '/rotations/1/overrides'],
      ['olga', 'delete', '/rotations/1/overrides/1'],
      ['vera', 'get', '/rotations'],
      ['erin', 'get', '/now?group=group%3Adefault%2Fops'],
    ] as const) {
      const res = await api(method, path)
        .set('authorization', as(who))
        .send({ nonsense: true });
      expect([who, path, res.status]).toEqual([who, path, 403]);
    }
    const anonymous = await api('get', '/rotations');
    expect(anonymous.status).toBe(401);
    expect(
      backend.events.filter(e => e.eventId.startsWith('monitoring-rotation')),
    ).toEqual([]);
  });

  it('refuses bad rotations with a coded 400, audited', async () => {
    const cases: Array<[object, string]> = [
      [{ timeZone: 'Europe/Atlantis' }, 'monitoring-rotation-timezone-invalid'],
      [{ members: [] }, 'monitoring-rotation-members-empty'],
      [
        { members: ['user:default/dave'] },
        'monitoring-rotation-member-foreign',
      ],
      [
        { members: ['user:default/ghost'] },
        'monitoring-rotation-member-foreign',
      ],
      [
        { members: ['user:default/olga', 'User:default/Olga'] },
        'monitoring-rotation-member-duplicate',
      ],
      [
        { shift: { kind: 'hours', hours: 7 } },
        'monitoring-rotation-shift-invalid',
      ],
      [{ handoffTime: '25:00' }, 'monitoring-rotation-handoff-invalid'],
      [{ startDate: '2026-13-01' }, 'monitoring-rotation-start-invalid'],
    ];
    for (const [change, code] of cases) {
      const res = await api('post', '/rotations')
        .set('authorization', as('alice'))
        .send({ ...rotation, ...change });
      expect([code, res.status, res.body.error?.code]).toEqual([
        code,
        400,
        code,
      ]);
    }
    const foreign = await api('post', '/rotations')
      .set('authorization', as('alice'))
      .send({ ...rotation, members: ['user:default/dave'] });
    expect(foreign.body.error).toMatchObject({
      member: 'user:default/dave',
      group: 'group:default/ops',
    });
    // a group the catalog does not show the person
    const hidden = await api('post', '/rotations')
      .set('authorization', as('otto'))
      .send({
        ...rotation,
        group: 'group:default/dev',
        members: ['user:default/dave'],
      });
    expect(hidden.status).toBe(404);
    expect(
      backend.events.filter(
        e =>
          e.eventId === 'monitoring-rotation-create' && e.status === 'failed',
      ),
    ).toHaveLength(cases.length + 2);
  });

  it('creates, shows, overrides, updates and deletes a rotation; pages the person on call', async () => {
    const created = await api('post', '/rotations')
      .set('authorization', as('otto'))
      .send({
        ...rotation,
        members: ['User:default/Olga', 'user:default/erin'],
      });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      ...rotation,
      createdBy: 'user:default/otto',
      updatedBy: 'user:default/otto',
    });
    expect(
      backend.events.find(
        e =>
          e.eventId === 'monitoring-rotation-create' &&
          e.status === 'succeeded',
      ),
    ).toMatchObject({
      actor: { actorId: 'user:default/otto' },
      meta: { target: 'group:default/ops', rotationId: id },
    });
    const again = await api('post', '/rotations')
      .set('authorization', as('alice'))
      .send(rotation);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('monitoring-rotation-name-taken');

    const expected = onCallAt(rotation as any, [], new Date());
    const list = await api('get', '/rotations?group=group%3Adefault%2Fops').set(
      'authorization',
      as('olga'),
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      rotation: { id, name: 'Primary' },
      onCall: expected,
      overrides: [],
    });
    expect(list.body.items[0].schedule.length).toBeGreaterThanOrEqual(5);
    const now = await api('get', '/now?group=group%3Adefault%2Fops').set(
      'authorization',
      as('olga'),
    );
    expect(now.body).toMatchObject({
      group: 'group:default/ops',
      rotations: [{ rotationId: id, name: 'Primary', user: expected }],
    });

    // the alert of ops' host: the group's notification and the person's page
    const alert = await request(backend.server)
      .post('/api/monitoring/alerts/webhook')
      .set('authorization', mockCredentials.service.header())
      .send({
        alerts: [
          {
            status: 'firing',
            fingerprint: 'oncall1',
            startsAt: new Date().toISOString(),
            labels: {
              alertname: 'HostDown',
              opsdeck_entity: 'resource:default/web-01',
            },
          },
        ],
      });
    expect(alert.body.accepted).toBe(1);
    expect(backend.notifications.map(n => n.recipients)).toEqual([
      { type: 'entity', entityRef: ['group:default/ops'] },
      { type: 'entity', entityRef: [expected] },
    ]);

    // an override: erin covers the next hours; then the other person is on call
    const other =
      expected === 'user:default/olga'
        ? 'user:default/erin'
        : 'user:default/olga';
    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 3_600_000).toISOString();
    const override = await api('post', `/rotations/${id}/overrides`)
      .set('authorization', as('alice'))
      .send({ user: other, start, end });
    expect(override.status).toBe(201);
    const overlap = await api('post', `/rotations/${id}/overrides`)
      .set('authorization', as('alice'))
      .send({ user: expected, start, end });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.code).toBe('monitoring-override-overlap');
    const foreign = await api('post', `/rotations/${id}/overrides`)
      .set('authorization', as('alice'))
      .send({
        user: 'user:default/dave',
        start: end,
        end: new Date(Date.now() + 7_200_000).toISOString(),
      });
    expect(foreign.body.error.code).toBe('monitoring-rotation-member-foreign');
    const backwards = await api('post', `/rotations/${id}/overrides`)
      .set('authorization', as('alice'))
      .send({ user: other, start: end, end: start });
    expect(backwards.body.error.code).toBe('monitoring-override-range-invalid');
    expect(
      (
        await api('get', '/now?group=group%3Adefault%2Fops').set(
          'authorization',
          as('olga'),
        )
      ).body.rotations[0].user,
    ).toBe(other);
    expect(
      backend.events.find(
        e =>
          e.eventId === 'monitoring-override-create' &&
          e.status === 'succeeded',
      ),
    ).toMatchObject({
      actor: { actorId: 'user:default/alice' },
      meta: { user: other, overrideId: override.body.id },
    });
    const removed = await api(
      'delete',
      `/rotations/${id}/overrides/${override.body.id}`,
    ).set('authorization', as('alice'));
    expect(removed.status).toBe(204);
    expect(
      (
        await api(
          'delete',
          `/rotations/${id}/overrides/${override.body.id}`,
        ).set('authorization', as('alice'))
      ).status,
    ).toBe(404);

    // members changed: one member, always on call
    const updated = await api('put', `/rotations/${id}`)
      .set('authorization', as('alice'))
      .send({
        ...rotation,
        members: ['user:default/erin'],
        timeZone: 'Europe/Berlin',
      });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      members: ['user:default/erin'],
      timeZone: 'Europe/Berlin',
      updatedBy: 'user:default/alice',
    });
    expect(
      backend.events.find(
        e =>
          e.eventId === 'monitoring-rotation-update' &&
          e.status === 'succeeded',
      ),
    ).toMatchObject({
      actor: { actorId: 'user:default/alice' },
      meta: {
        before: { members: ['user:default/olga', 'user:default/erin'] },
        after: { members: ['user:default/erin'] },
      },
    });
    const badUpdate = await api('put', `/rotations/${id}`)
      .set('authorization', as('alice'))
      .send({ ...rotation, timeZone: 'Nowhere' });
    expect(badUpdate.body.error.code).toBe(
      'monitoring-rotation-timezone-invalid',
    );

    const deleted = await api('delete', `/rotations/${id}`).set(
      'authorization',
      as('alice'),
    );
    expect(deleted.status).toBe(204);
    expect(
      (
        await api('delete', `/rotations/${id}`).set(
          'authorization',
          as('alice'),
        )
      ).status,
    ).toBe(404);
    expect(
      backend.events.find(
        e =>
          e.eventId === 'monitoring-rotation-delete' &&
          e.status === 'succeeded',
      ),
    ).toMatchObject({ actor: { actorId: 'user:default/alice' } });
  });

  it('hides rotations of groups the catalog does not show the person', async () => {
    const dev = await api('post', '/rotations')
      .set('authorization', as('alice'))
      .send({
        ...rotation,
        group: 'group:default/dev',
        members: ['user:default/dave'],
      });
    expect(dev.status).toBe(201);
    const forOtto = await api('get', '/rotations').set(
      'authorization',
      as('otto'),
    );
    expect(forOtto.body.items).toEqual([]);
    const forAlice = await api('get', '/rotations').set(
      'authorization',
      as('alice'),
    );
    expect(forAlice.body.items.map((v: any) => v.onCall)).toEqual([
      'user:default/dave',
    ]);
    for (const [method, path] of [
      ['get', '/now?group=group%3Adefault%2Fdev'],
      ['put', `/rotations/${dev.body.id}`],
      ['delete', `/rotations/${dev.body.id}`],
      ['post', `/rotations/${dev.body.id}/overrides`],
    ] as const) {
      const res = await api(method, path)
        .set('authorization', as('otto'))
        .send(
          method === 'put'
            ? {
                ...rotation,
                group: 'group:default/dev',
                members: ['user:default/dave'],
              }
            : {
                user: 'user:default/dave',
                start: new Date().toISOString(),
                end: new Date(Date.now() + 60_000).toISOString(),
              },
        );
      expect([path, res.status]).toEqual([path, 404]);
    }
  });
});
