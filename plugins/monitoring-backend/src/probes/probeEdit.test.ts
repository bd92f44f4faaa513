import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

// PUT /probes/{id}: the permission before anything, then the checks of a
// create on the new values (the real exporter's --config.check), the module
// file written, and an audit event with the probe before and after.
describe('editing a probe', () => {
  let backend: MonitoringBackend;
  let dir: string;
  const moduleFile = () => path.join(dir, 'blackbox.yml');
  const modules = () =>
    JSON.parse(fs.readFileSync(moduleFile(), 'utf8')).modules as Record<
      string,
      any
    >;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-probe-edit-'));
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [
        hostEntity('web-01', '127.0.0.1:9100'),
        hostEntity('db-01', '127.0.0.1:9102'),
        hostEntity('vault-01', '127.0.0.1:9101'),
      ],
      // vault-01 is shown to alice only (otto manages rules, cannot see it)
      visibleTo: (user, entity) =>
        entity.metadata.name !== 'vault-01' || user === 'user:default/alice',
      monitoring: {
        probes: {
          blackbox: { configFile: moduleFile() },
          allowTargets: ['127.0.0.1'],
          minIntervalSeconds: 5,
        },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const create = (body: Record<string, unknown>, user = 'alice') =>
    request(backend.server)
      .post('/api/monitoring/probes')
      .set('authorization', as(user))
      .send({ entityRef: 'resource:default/web-01', interval: '15s', ...body });
  const edit = (id: number, body: Record<string, unknown>, user = 'alice') =>
    request(backend.server)
      .put(`/api/monitoring/probes/${id}`)
      .set('authorization', as(user))
      .send({ entityRef: 'resource:default/web-01', interval: '15s', ...body });
  const get = async (id: number) => {
    const res = await request(backend.server)
      .get('/api/monitoring/probes')
      .set('authorization', as('alice'));
    return res.body.items.find((p: any) => p.id === id);
  };
  const updates = () =>
    backend.events.filter(e => e.eventId === 'monitoring-probe-update');

  it('edits kind, target, expectations, interval and entity; writes the module; audits before and after with the person', async () => {
    const made = await create({ kind: 'tcp', target: '127.0.0.1:22' });
    expect(made.status).toBe(201);
    expect(modules()[`opsdeck_probe_${made.body.id}`].prober).toBe('tcp');

    const res = await edit(
      made.body.id,
      {
        entityRef: 'Resource:default/DB-01',
        kind: 'http',
        target: 'http://127.0.0.1:8080/health',
        expectStatus: 204,
        bodyRegex: 'ok|up',
        interval: '30s',
      },
      'otto',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: made.body.id,
      entityRef: 'resource:default/db-01',
      kind: 'http',
      target: 'http://127.0.0.1:8080/health',
      expectStatus: 204,
      bodyRegex: 'ok|up',
      interval: '30s',
      createdBy: 'user:default/alice',
      createdAt: made.body.createdAt,
    });
    expect(await get(made.body.id)).toEqual(res.body);
    const module = modules()[`opsdeck_probe_${made.body.id}`];
    expect(module).toMatchObject({
      prober: 'http',
      timeout: '10s',
      http: {
        follow_redirects: false,
        valid_status_codes: [204],
        fail_if_body_not_matches_regexp: ['ok|up'],
      },
    });

    // back to TCP: the HTTP expectations go
    const back = await edit(made.body.id, {
      kind: 'tcp',
      target: '127.0.0.1:5432',
    });
    expect(back.status).toBe(200);
    expect(back.body).not.toHaveProperty('expectStatus');
    expect(back.body).not.toHaveProperty('bodyRegex');

    const [first, second] = updates();
    expect(first.status).toBe('succeeded');
    const text = JSON.stringify(first);
    // the person (otto) is the actor, not the creator
    expect(text).toContain('user:default/otto');
    expect(first.meta).toMatchObject({
      before: {
        kind: 'tcp',
        target: '127.0.0.1:22',
        entityRef: 'resource:default/web-01',
        interval: '15s',
      },
      after: {
        kind: 'http',
        target: 'http://127.0.0.1:8080/health',
        entityRef: 'resource:default/db-01',
        interval: '30s',
      },
    });
    expect(second.meta).toMatchObject({
      before: { kind: 'http', expectStatus: 204 },
      after: { kind: 'tcp', target: '127.0.0.1:5432' },
    });
  });

  it('answers a viewer and a person without a role 403 before anything (even a probe that does not exist, a body that does not parse)', async () => {
    const made = await create({ kind: 'tcp', target: '127.0.0.1:22' });
    const before = fs.readFileSync(moduleFile(), 'utf8');
    const count = updates().length;
    for (const user of ['vera', 'erin', 'dave', 'olga']) {
      for (const [id, body] of [
        [made.body.id, { kind: 'tcp', target: '127.0.0.1:23' }],
        [999_999, { kind: 'tcp', target: '127.0.0.1:23' }],
        [made.body.id, { kind: 'nonsense', target: 42 }],
      ] as const) {
        const res = await edit(id, body, user);
        expect([user, id, res.status]).toEqual([user, id, 403]);
        expect(JSON.stringify(res.body)).not.toContain('127.0.0.1:22');
      }
    }
    expect((await get(made.body.id)).target).toBe('127.0.0.1:22');
    expect(fs.readFileSync(moduleFile(), 'utf8')).toBe(before);
    expect(updates()).toHaveLength(count);
  });

  it('refuses on edit what create refuses (addresses, grammar, expectations, the exporter check) and keeps the probe as it was', async () => {
    const made = await create({
      kind: 'http',
      target: 'http://127.0.0.1:8080/',
    });
    expect(made.status).toBe(201);
    const before = fs.readFileSync(moduleFile(), 'utf8');
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [
        { kind: 'http', target: 'http://169.254.169.254/latest/meta-data/' },
        /may not reach 169\.254\.169\.254/,
      ],
      [
        { kind: 'http', target: 'http://100.100.100.200/latest/meta-data/' },
        /may not reach/,
      ],
      [{ kind: 'http', target: 'http://[::1]:8080/' }, /may not reach/],
      [
        { kind: 'http', target: 'http://[::ffff:169.254.169.254]/' },
        /may not reach/,
      ],
      [{ kind: 'tcp', target: '127.0.0.2:22' }, /may not reach/],
      [{ kind: 'tcp', target: 'localhost6:22' }, /./],
      [{ kind: 'http', target: 'http://user:pw@127.0.0.1/' }, /./],
      [{ kind: 'http', target: 'file:///etc/passwd' }, /./],
      [{ kind: 'tcp', target: '127.0.0.1:22\nmodules:' }, /./],
      [
        { kind: 'tcp', target: '127.0.0.1:22', expectStatus: 200 },
        /no expected status/,
      ],
      [{ kind: 'tcp', target: '127.0.0.1:22', interval: '1s' }, /./],
      [
        { kind: 'http', target: 'http://127.0.0.1:8080/', bodyRegex: '(?=x)' },
        /blackbox exporter refused the probe: .*regular expression/,
      ],
    ];
    for (const [body, message] of refused) {
      const res = await edit(made.body.id, body);
      expect([body, res.status]).toEqual([body, 400]);
      expect(res.body.error.message).toMatch(message);
    }
    // each with a code the portal says in the reader's language
    const coded: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [
        { kind: 'http', target: 'http://169.254.169.254/latest/meta-data/' },
        { code: 'monitoring-target-refused', addresses: '169.254.169.254' },
      ],
      [
        { kind: 'http', target: 'http://user:pw@127.0.0.1/' },
        { code: 'monitoring-target-invalid' },
      ],
      [
        { kind: 'tcp', target: '127.0.0.1:22', interval: '1s' },
        { code: 'monitoring-interval-invalid' },
      ],
    ];
    for (const [body, error] of coded) {
      const res = await edit(made.body.id, body);
      expect([body, res.body.error]).toEqual([
        body,
        expect.objectContaining(error),
      ]);
    }
    expect(await get(made.body.id)).toEqual(made.body);
    expect(fs.readFileSync(moduleFile(), 'utf8')).toBe(before);
    // the refusals are audited as failed edits of that probe
    const failed = updates().filter(
      e =>
        e.status === 'failed' &&
        JSON.stringify(e).includes(`monitoring-probe:${made.body.id}`),
    );
    expect(failed.length).toBeGreaterThan(0);
  });

  it('treats a probe on an entity the person cannot read as absent, and refuses moving one there', async () => {
    const hidden = await create({
      kind: 'tcp',
      target: '127.0.0.1:22',
      entityRef: 'resource:default/vault-01',
    });
    expect(hidden.status).toBe(201);
    const res = await edit(
      hidden.body.id,
      { kind: 'tcp', target: '127.0.0.1:23' },
      'otto',
    );
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(`No probe ${hidden.body.id}`);
    expect(JSON.stringify(res.body)).not.toContain('vault-01');
    // deleting it answers the same (it named the entity before)
    const del = await request(backend.server)
      .delete(`/api/monitoring/probes/${hidden.body.id}`)
      .set('authorization', as('otto'));
    expect(del.status).toBe(404);
    expect(del.body.error.message).toBe(`No probe ${hidden.body.id}`);
    const mine = await create({ kind: 'tcp', target: '127.0.0.1:22' }, 'otto');
    const moved = await edit(
      mine.body.id,
      {
        kind: 'tcp',
        target: '127.0.0.1:22',
        entityRef: 'resource:default/vault-01',
      },
      'otto',
    );
    expect(moved.status).toBe(404);
    expect((await get(mine.body.id)).entityRef).toBe('resource:default/web-01');
    expect((await get(hidden.body.id)).target).toBe('127.0.0.1:22');
    const typed = await edit(
      mine.body.id,
      { kind: 'tcp', target: '127.0.0.1:22', entityRef: 'web-01' },
      'otto',
    );
    expect(typed.status).toBe(400);
    // a deleted probe cannot be edited back
    await request(backend.server)
      .delete(`/api/monitoring/probes/${mine.body.id}`)
      .set('authorization', as('otto'));
    expect(
      (await edit(mine.body.id, { kind: 'tcp', target: '127.0.0.1:22' }))
        .status,
    ).toBe(404);
  });

  it('audits a refused create with the person: an entity they cannot read, a ref that does not parse', async () => {
    backend.events.length = 0;
    const hidden = await create(
      {
        kind: 'tcp',
        target: '127.0.0.1:22',
        entityRef: 'resource:default/vault-01',
      },
      'otto',
    );
    expect(hidden.status).toBe(404);
    const typed = await create(
      { kind: 'tcp', target: '127.0.0.1:22', entityRef: 'web-01:' },
      'otto',
    );
    expect(typed.status).toBe(400);
    expect(
      backend.events
        .filter(e => e.eventId === 'monitoring-probe-create')
        .map(e => [e.status, e.actor.actorId]),
    ).toEqual([
      ['failed', 'user:default/otto'],
      ['failed', 'user:default/otto'],
    ]);
    const mine = await create({ kind: 'tcp', target: '127.0.0.1:22' }, 'otto');
    const bad = await edit(
      mine.body.id,
      { kind: 'tcp', target: '127.0.0.1:22', entityRef: 'web-01:' },
      'otto',
    );
    expect(bad.status).toBe(400);
    expect(updates().map(e => [e.status, e.actor.actorId])).toEqual([
      ['failed', 'user:default/otto'],
    ]);
  });
});
