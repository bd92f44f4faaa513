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
import {
  eventually,
  freePort,
  startAlertmanager,
  startPrometheus,
  type RunningServer,
} from '../__testUtils__/servers';
import { promtoolCheck } from './RulePublisher';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

// Rules from templates are checked by promtool, written to the rule file of a
// real Prometheus, reloaded, versioned and audited; silences go to a real
// Alertmanager.
describe('alert rules and silences', () => {
  let backend: MonitoringBackend;
  let prometheus: RunningServer;
  let alertmanager: RunningServer;
  let rulesFile: string;

  beforeAll(async () => {
    prometheus = await startPrometheus(
      'global:\n  evaluation_interval: 1s\nrule_files: [opsdeck.rules.yml]\n',
      { 'opsdeck.rules.yml': 'groups: []\n' },
    );
    rulesFile = path.join(prometheus.dir, 'opsdeck.rules.yml');
    alertmanager = await startAlertmanager(
      'route:\n  receiver: none\nreceivers:\n  - name: none\n',
    );
    backend = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [
        hostEntity('web-01', '127.0.0.1:9100'),
        hostEntity('vault-01', '127.0.0.1:9101'),
        hostEntity('db-01', '127.0.0.1:9102'),
      ],
      // vault-01 is shown to alice only; db-01 (ops') to alice and olga (ops)
      visibleTo: (user, entity) =>
        (entity.metadata.name !== 'vault-01' ||
          user === 'user:default/alice') &&
        (entity.metadata.name !== 'db-01' ||
          ['user:default/alice', 'user:default/olga'].includes(user)),
      monitoring: {
        prometheus: { url: prometheus.url },
        alertmanager: { url: alertmanager.url },
        rules: { file: rulesFile },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await prometheus?.stop();
    await alertmanager?.stop();
  });

  const prometheusRules = async () => {
    const res = await fetch(`${prometheus.url}/api/v1/rules`);
    return ((await res.json()) as any).data.groups.flatMap((g: any) => g.rules);
  };

  it('creates a rule from a template, reloads Prometheus, versions and audits it', async () => {
    const denied = await request(backend.server)
      .post('/api/monitoring/rules')
      .set('authorization', as('dave'))
      .send({ name: 'x', template: 'host-down', scope: { owner: 'ops' } });
    expect(denied.status).toBe(403);

    const created = await request(backend.server)
      .post('/api/monitoring/rules')
      .set('authorization', as('alice'))
      .send({
        name: 'payments hosts down',
        template: 'host-down',
        scope: { owner: 'ops', environment: 'prod' },
        params: { for: '30s' },
      });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      version: 1,
      updatedBy: 'user:default/alice',
      expr: 'up{owner="group:default/ops",environment="prod"} == 0',
    });
    const loaded = await eventually(async () => {
      const rules = await prometheusRules();
      return rules.length ? rules : undefined;
    }, 'the rule loaded in Prometheus');
    expect(loaded[0]).toMatchObject({
      name: 'HostDown',
      query: 'up{environment="prod",owner="group:default/ops"} == 0',
      duration: 30,
      labels: { severity: 'critical', opsdeck_rule: String(created.body.id) },
    });

    const updated = await request(backend.server)
      .put(`/api/monitoring/rules/${created.body.id}`)
      .set('authorization', as('alice'))
      .send({
        name: 'payments disks',
        template: 'disk-full',
        scope: { entityRef: 'resource:default/pay-app-01' },
        params: { threshold: 95 },
      });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    await eventually(async () => {
      const rules = await prometheusRules();
      return rules[0]?.name === 'DiskFull' ? true : undefined;
    }, 'the new version loaded');
    const versions = await request(backend.server)
      .get(`/api/monitoring/rules/${created.body.id}/versions`)
      .set('authorization', as('dave'));
    expect(
      versions.body.items.map((v: any) => [v.version, v.by, v.rule.template]),
    ).toEqual([
      [2, 'user:default/alice', 'disk-full'],
      [1, 'user:default/alice', 'host-down'],
    ]);
    const audit = backend.events.filter(e =>
      e.eventId.startsWith('monitoring-rule-'),
    );
    expect(
      audit.filter(e => e.status === 'succeeded').map(e => e.eventId),
    ).toEqual(['monitoring-rule-create', 'monitoring-rule-update']);
    expect(JSON.stringify(audit.at(-1))).toContain('user:default/alice');

    const deleted = await request(backend.server)
      .delete(`/api/monitoring/rules/${created.body.id}`)
      .set('authorization', as('alice'));
    expect(deleted.status).toBe(204);
    await eventually(
      async () => ((await prometheusRules()).length === 0 ? true : undefined),
      'the rule gone from Prometheus',
    );
  });

  it('refuses a scope it cannot express, and a hostile value stays one label value', async () => {
    for (const scope of [{}, { tags: ['web'] }, { names: ['not a ref!'] }]) {
      const res = await request(backend.server)
        .post('/api/monitoring/rules')
        .set('authorization', as('alice'))
        .send({ name: 'x', template: 'host-down', scope });
      expect([JSON.stringify(scope), res.status]).toEqual([
        JSON.stringify(scope),
        400,
      ]);
    }
    const res = await request(backend.server)
      .post('/api/monitoring/rules')
      .set('authorization', as('alice'))
      .send({
        name: 'hostile',
        template: 'host-down',
        scope: { environment: 'prod"} or vector(1) #\\' },
      });
    expect(res.status).toBe(201);
    expect(res.body.expr).toBe(
      'up{environment="prod\\"} or vector(1) #\\\\"} == 0',
    );
    const rules = await eventually(async () => {
      const r = await prometheusRules();
      return r.length ? r : undefined;
    }, 'the hostile rule loaded');
    // Prometheus parsed it as one matcher on environment
    expect(rules[0].query).toBe(
      'up{environment="prod\\"} or vector(1) #\\\\"} == 0',
    );
    await request(backend.server)
      .delete(`/api/monitoring/rules/${res.body.id}`)
      .set('authorization', as('alice'));
  });

  it('keeps nothing when Prometheus does not reload', async () => {
    const dead = await startMonitoringBackend({
      knex: await databases.init('SQLITE_3'),
      entities: [],
      monitoring: {
        prometheus: { url: `http://127.0.0.1:${await freePort()}` },
        rules: {
          file: path.join(
            fs.mkdtempSync(path.join(os.tmpdir(), 'r-')),
            'r.yml',
          ),
        },
      },
    });
    try {
      const res = await request(dead.server)
        .post('/api/monitoring/rules')
        .set('authorization', as('alice'))
        .send({ name: 'x', template: 'host-down', scope: { owner: 'ops' } });
      expect(res.status).toBe(500);
      const list = await request(dead.server)
        .get('/api/monitoring/rules')
        .set('authorization', as('alice'));
      expect(list.body.items).toEqual([]);
    } finally {
      await dead.stop();
    }
  });

  it('promtool refuses a broken rule file with its own message', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-promtool-'));
    const file = path.join(dir, 'bad.yml');
    fs.writeFileSync(
      file,
      JSON.stringify({
        groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up{ == 0' }] }],
      }),
    );
    await expect(promtoolCheck('promtool', file)).rejects.toThrow(
      /promtool check rules refused the rules: .*parse error/s,
    );
    fs.rmSync(dir, { recursive: true });
  });

  it('silences an entity in Alertmanager as the person, and expires it', async () => {
    const denied = await request(backend.server)
      .post('/api/monitoring/silences')
      .set('authorization', as('dave'))
      .send({
        entityRef: 'resource:default/web-01',
        minutes: 60,
        comment: 'x',
      });
    expect(denied.status).toBe(403);
    const created = await request(backend.server)
      .post('/api/monitoring/silences')
      .set('authorization', as('alice'))
      .send({
        entityRef: 'resource:default/web-01',
        alertname: 'HostDown',
        minutes: 60,
        comment: 'maintenance',
      });
    expect(created.status).toBe(201);
    const list = await request(backend.server)
      .get('/api/monitoring/silences')
      .set('authorization', as('alice'));
    const silence = list.body.find((s: any) => s.id === created.body.silenceID);
    expect(silence).toMatchObject({
      createdBy: 'user:default/alice',
      comment: 'maintenance',
      status: { state: 'active' },
      matchers: expect.arrayContaining([
        expect.objectContaining({
          name: 'opsdeck_entity',
          value: 'resource:default/web-01',
          isRegex: false,
        }),
      ]),
    });
    const expired = await request(backend.server)
      .delete(`/api/monitoring/silences/${created.body.silenceID}`)
      .set('authorization', as('alice'));
    expect(expired.status).toBe(204);
    const after = await request(backend.server)
      .get('/api/monitoring/silences')
      .set('authorization', as('alice'));
    expect(
      after.body.find((s: any) => s.id === created.body.silenceID).status.state,
    ).toBe('expired');
  });

  it('silences only one entity the person can read, never alerts without an entity', async () => {
    const silence = (entityRef: string, alertname?: string) =>
      request(backend.server)
        .post('/api/monitoring/silences')
        .set('authorization', as('alice'))
        .send({ entityRef, alertname, minutes: 60, comment: 'x' });
    // opsdeck_entity="" matches every alert WITHOUT the label (Watchdog,
    // Prometheus' own alerts): not one entity
    expect((await silence('', 'Watchdog')).status).toBe(400);
    expect((await silence('  ', 'Watchdog')).status).toBe(400);
    // an entity the catalog does not show the person
    expect((await silence('resource:default/nowhere', 'HostDown')).status).toBe(
      404,
    );
    const list = await request(backend.server)
      .get('/api/monitoring/silences')
      .set('authorization', as('alice'));
    expect(
      list.body.filter(
        (s: any) =>
          s.status.state === 'active' &&
          s.matchers.some(
            (m: any) =>
              m.name === 'opsdeck_entity' &&
              ['', 'resource:default/nowhere'].includes(m.value),
          ),
      ),
    ).toEqual([]);
  });

  it('expires only silences opsdeck made for one entity the person can read', async () => {
    // silences made in Alertmanager directly (amtool, another tool)
    const direct = async (
      matchers: Array<{
        name: string;
        value: string;
        isRegex: boolean;
        isEqual?: boolean;
      }>,
    ) => {
      const res = await fetch(`${alertmanager.url}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers,
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'someone-else',
          comment: 'not opsdeck',
        }),
      });
      const body = await res.text();
      expect([res.status, body]).toEqual([200, expect.any(String)]);
      return (JSON.parse(body) as { silenceID: string }).silenceID;
    };
    const opsdeck = async (entityRef: string) => {
      const res = await request(backend.server)
        .post('/api/monitoring/silences')
        .set('authorization', as('alice'))
        .send({ entityRef, minutes: 60, comment: 'maintenance' });
      expect(res.status).toBe(201);
      return res.body.silenceID as string;
    };
    const state = async (id: string) => {
      const res = await fetch(`${alertmanager.url}/api/v2/silence/${id}`);
      return ((await res.json()) as any).status.state;
    };
    const expire = (id: string, user = 'olga') =>
      request(backend.server)
        .delete(`/api/monitoring/silences/${id}`)
        .set('authorization', as(user));

    const web = 'resource:default/web-01';
    const foreign = [
      // no entity at all: the Watchdog silence of another team
      await direct([{ name: 'alertname', value: 'Watchdog', isRegex: false }]),
      // a regex or a negation is not one entity (Alertmanager wants a
      // matcher that does not match the empty value beside them)
      await direct([
        { name: 'opsdeck_entity', value: 'resource:default/.+', isRegex: true },
      ]),
      await direct([
        { name: 'alertname', value: 'HostDown', isRegex: false },
        {
          name: 'opsdeck_entity',
          value: web,
          isRegex: false,
          isEqual: false,
        },
      ]),
      // two entity matchers, or a matcher opsdeck does not write
      await direct([
        { name: 'opsdeck_entity', value: web, isRegex: false },
        { name: 'opsdeck_entity', value: web, isRegex: false },
      ]),
      await direct([
        { name: 'opsdeck_entity', value: web, isRegex: false },
        { name: 'severity', value: 'page', isRegex: false },
      ]),
    ];
    for (const id of foreign) {
      expect([id, (await expire(id)).status]).toEqual([id, 403]);
      expect(await state(id)).toBe('active');
    }
    // an entity the catalog does not show olga: as if it did not exist
    const hidden = await opsdeck('resource:default/vault-01');
    const unseen = await expire(hidden);
    expect(unseen.status).toBe(404);
    // the same answer as no silence: naming no entity she may not see
    expect(unseen.body.error.message).toBe(`No silence ${hidden}`);
    expect(JSON.stringify(unseen.body)).not.toContain('vault-01');
    expect(await state(hidden)).toBe('active');
    // no such silence
    expect((await expire('00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );

    // what she may: opsdeck's silence of an entity she reads
    const mine = await opsdeck(web);
    expect((await expire(mine)).status).toBe(204);
    expect(await state(mine)).toBe('expired');
    expect((await expire(hidden, 'alice')).status).toBe(204);
    expect(await state(hidden)).toBe('expired');

    const audit = backend.events.filter(
      e => e.eventId === 'monitoring-silence-expire',
    );
    const olgas = audit.filter(e =>
      JSON.stringify(e).includes('user:default/olga'),
    );
    expect(olgas.map(e => e.status)).toEqual([
      ...foreign.map(() => 'failed'),
      'failed',
      'failed',
      'succeeded',
    ]);
  });

  it('lists only silences on entities the person can read', async () => {
    const created = await request(backend.server)
      .post('/api/monitoring/silences')
      .set('authorization', as('alice'))
      .send({
        entityRef: 'resource:default/db-01',
        minutes: 60,
        comment: 'ops maintenance',
      });
    expect(created.status).toBe(201);
    const onWeb = await request(backend.server)
      .post('/api/monitoring/silences')
      .set('authorization', as('alice'))
      .send({
        entityRef: 'resource:default/web-01',
        minutes: 60,
        comment: 'shared host',
      });
    expect(onWeb.status).toBe(201);
    // another tool's silence without an entity (e.g. Watchdog)
    const res = await fetch(`${alertmanager.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'Watchdog', isRegex: false }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'someone-else',
        comment: 'not opsdeck',
      }),
    });
    const foreign = ((await res.json()) as { silenceID: string }).silenceID;

    const ids = async (user: string) => {
      const list = await request(backend.server)
        .get('/api/monitoring/silences')
        .set('authorization', as(user));
      expect(list.status).toBe(200);
      return list.body.map((s: any) => s.id as string);
    };
    // dave (a developer of another team) does not see ops' host's silence
    const daves = await ids('dave');
    expect(daves).not.toContain(created.body.silenceID);
    expect(daves).toContain(onWeb.body.silenceID);
    expect(daves).not.toContain(foreign);
    // the owner team (olga, ops) and the admin do
    expect(await ids('olga')).toContain(created.body.silenceID);
    expect(await ids('alice')).toContain(created.body.silenceID);
    // no one sees a silence opsdeck cannot tie to one entity
    expect(await ids('alice')).not.toContain(foreign);
    // and the permission still comes first
    const erin = await request(backend.server)
      .get('/api/monitoring/silences')
      .set('authorization', as('erin'));
    expect(erin.status).toBe(403);
  });
});
