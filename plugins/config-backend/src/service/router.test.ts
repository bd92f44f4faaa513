import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { hostEntity, startConfigBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const bob = mockCredentials.user.header('user:default/bob');
const erin = mockCredentials.user.header('user:default/erin');
const dave = mockCredentials.user.header('user:default/dave');
// alice: an admin, with config.push.prod
const alice = mockCredentials.user.header('user:default/alice');

let sshd: SshdHosts;
let work: string;
beforeAll(async () => {
  sshd = await startSshdHosts(1);
  work = mkdtempSync(join(tmpdir(), 'opsdeck-config-router-'));
  chmodSync(work, 0o777);
});
afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function start() {
  const knex = await databases.init('SQLITE_3');
  return startConfigBackend({
    knex,
    privateKey: sshd.privateKeyText,
    entities: [
      hostEntity('cfg-a', sshd.hosts[0].port),
      hostEntity('cfg-prod', sshd.hosts[0].port, { environment: 'prod' }),
    ],
    deny: {
      // erin: a viewer (read only); dave: a developer without prod rights either
      'user:default/erin': [
        'opsdeck.config.edit',
        'opsdeck.config.push',
        'opsdeck.config.push.prod',
      ],
      'user:default/bob': ['opsdeck.config.push.prod'],
      'user:default/dave': ['opsdeck.config.push', 'opsdeck.config.push.prod'],
    },
  });
}

const setBody = (targetPath: string, names = ['cfg-a']) => ({
  name: 'app-json',
  kind: 'json',
  owner: 'group:default/ops',
  selector: { names },
  targetPath,
});

describe('config router', () => {
  it('saves versions, pushes with per-host progress, audits the person, and refuses who may not', async () => {
    const { server, audits } = await start();
    const target = join(work, 'app.json');

    await request(server).get('/api/config/sets').expect(401);
    await request(server)
      .post('/api/config/sets')
      .set('Authorization', erin)
      .send(setBody(target))
      .expect(403);
    const set = (
      await request(server)
        .post('/api/config/sets')
        .set('Authorization', bob)
        .send(setBody(target))
        .expect(201)
    ).body;
    // a relative or dotted path is refused
    await request(server)
      .put(`/api/config/sets/${set.id}`)
      .set('Authorization', bob)
      .send(setBody('/tmp/../etc/passwd'))
      .expect(400);

    const save = (template: string, message: string) =>
      request(server)
        .post(`/api/config/sets/${set.id}/versions`)
        .set('Authorization', bob)
        .send({
          template,
          variables: { defaults: { level: 'info' } },
          message,
        });
    expect((await save('{"log": "{{vars.level}}"}\n', 'first')).status).toBe(
      201,
    );
    // a template that does not parse is refused at save
    expect((await save('{{#if}}', 'broken')).status).toBe(400);
    await save('{"log": "{{vars.level}}", "v": 2}\n', 'second').expect(201);

    // everyone with read sees versions and diffs
    const versions = await request(server)
      .get(`/api/config/sets/${set.id}/versions`)
      .set('Authorization', erin)
      .expect(200);
    expect(versions.body.items.map((v: any) => v.version)).toEqual([2, 1]);
    const diff = await request(server)
      .get(`/api/config/sets/${set.id}/diff?from=1&to=2`)
      .set('Authorization', erin)
      .expect(200);
    expect(diff.body.template).toContain('+{"log": "{{vars.level}}", "v": 2}');
    // a viewer cannot make the backend log in to hosts
    await request(server)
      .get(`/api/config/sets/${set.id}/versions/2/preview`)
      .set('Authorization', erin)
      .expect(403);
    const preview = await request(server)
      .get(`/api/config/sets/${set.id}/versions/2/preview`)
      .set('Authorization', bob)
      .expect(200);
    expect(preview.body.items[0].diff).toContain('+{"log": "info", "v": 2}');

    // push: viewers and developers may not
    for (const who of [erin, dave]) {
      await request(server)
        .post(`/api/config/sets/${set.id}/releases`)
        .set('Authorization', who)
        .send({ version: 2 })
        .expect(403);
    }
    const pushed = await request(server)
      .post(`/api/config/sets/${set.id}/releases`)
      .set('Authorization', bob)
      .send({ version: 2 })
      .expect(201);
    let release: any;
    await eventually(async () => {
      release = (
        await request(server)
          .get(`/api/config/releases/${pushed.body.id}`)
          .set('Authorization', erin)
      ).body;
      return release.status !== 'running';
    });
    expect(release.hosts).toEqual([
      expect.objectContaining({
        host: 'resource:default/cfg-a',
        state: 'done',
      }),
    ]);
    expect(readFileSync(target, 'utf8')).toBe('{"log": "info", "v": 2}\n');
    const pushAudit = audits.find(a => a.eventId === 'config-push')!;
    expect(pushAudit).toMatchObject({ status: 'succeeded', actor: bob });
    expect(pushAudit.meta).toMatchObject({
      releaseId: pushed.body.id,
      hosts: ['resource:default/cfg-a'],
    });

    // rollback: a new version 3 repeating version 1
    const rb = await request(server)
      .post(`/api/config/sets/${set.id}/rollback`)
      .set('Authorization', bob)
      .send({ toVersion: 1 })
      .expect(201);
    expect(rb.body.version).toMatchObject({ version: 3, rolledBackFrom: 1 });
    await eventually(
      () => readFileSync(target, 'utf8') === '{"log": "info"}\n',
    );
    expect(audits.find(a => a.eventId === 'config-rollback')!.actor).toBe(bob);
  });

  it('keeps prod hosts for those with config.push.prod', async () => {
    const { server } = await start();
    const set = (
      await request(server)
        .post('/api/config/sets')
        .set('Authorization', alice)
        .send(setBody(join(work, 'prod.json'), ['cfg-a', 'cfg-prod']))
        .expect(201)
    ).body;
    await request(server)
      .post(`/api/config/sets/${set.id}/versions`)
      .set('Authorization', bob)
      .send({ template: '{}\n', message: 'empty' })
      .expect(201);
    const res = await request(server)
      .post(`/api/config/sets/${set.id}/releases`)
      .set('Authorization', bob)
      .send({ version: 1 })
      .expect(403);
    expect(res.body.error.message).toMatch(/cfg-prod.*config\.push\.prod/);
  });

  it('refuses rollback and adopt on prod hosts without config.push.prod, before changing anything', async () => {
    const { server, audits } = await start();
    const target = join(work, 'prod-rollback.json');
    writeFileSync(target, '{"by": "hand"}\n', { mode: 0o644 });
    const set = (
      await request(server)
        .post('/api/config/sets')
        .set('Authorization', alice)
        .send({ ...setBody(target, ['cfg-prod']), name: 'prod-rollback' })
        .expect(201)
    ).body;
    for (const template of ['{"v": 1}\n', '{"v": 2}\n']) {
      await request(server)
        .post(`/api/config/sets/${set.id}/versions`)
        .set('Authorization', bob)
        .send({ template, message: template })
        .expect(201);
    }
    // bob may push, but not to prod: a rollback is a push, refused before
    // it writes the rollback version
    const rb = await request(server)
      .post(`/api/config/sets/${set.id}/rollback`)
      .set('Authorization', bob)
      .send({ toVersion: 1 })
      .expect(403);
    expect(rb.body.error.message).toMatch(/cfg-prod.*config\.push\.prod/);
    // adopting a prod host's live file rewrites that host's drift baseline
    await request(server)
      .post(`/api/config/sets/${set.id}/adopt`)
      .set('Authorization', bob)
      .send({ host: 'cfg-prod' })
      .expect(403);
    const versions = await request(server)
      .get(`/api/config/sets/${set.id}/versions`)
      .set('Authorization', bob)
      .expect(200);
    expect(versions.body.items.map((v: any) => v.version)).toEqual([2, 1]);
    expect(
      audits
        .filter(a =>
          ['config-rollback', 'config-adopt-live'].includes(a.eventId),
        )
        .map(a => [a.eventId, a.status, a.actor]),
    ).toEqual([
      ['config-rollback', 'failed', bob],
      ['config-adopt-live', 'failed', bob],
    ]);
  });

  it('refuses changing what a set runs or writes on prod hosts without config.push.prod, before writing', async () => {
    const { server, audits } = await start();
    const prodTarget = join(work, 'prod-def.json');
    const defined = {
      ...setBody(prodTarget, ['cfg-prod']),
      name: 'prod-def',
      validateCommand: 'true',
      reloadCommand: 'true',
      healthCheck: { type: 'script', command: 'true' },
    };
    // bob (ops) may edit config but not push to prod: he cannot define a
    // set on a prod host
    const created = await request(server)
      .post('/api/config/sets')
      .set('Authorization', bob)
      .send(defined)
      .expect(403);
    expect(created.body.error.message).toMatch(/cfg-prod.*config\.push\.prod/);
    const none = await request(server)
      .get('/api/config/sets')
      .set('Authorization', bob)
      .expect(200);
    expect(none.body.items).toEqual([]);

    const prodSet = (
      await request(server)
        .post('/api/config/sets')
        .set('Authorization', alice)
        .send(defined)
        .expect(201)
    ).body;
    // each field that runs or lands on the hosts, changed alone: an admin's
    // later push would run bob's command or write where bob says
    const changes: Record<string, unknown>[] = [
      { validateCommand: 'touch /tmp/owned' },
      { reloadCommand: 'touch /tmp/owned' },
      { validateCommand: undefined },
      { healthCheck: { type: 'script', command: 'touch /tmp/owned' } },
      { healthCheck: { type: 'http', url: 'http://{{host.address}}:9/x' } },
      { healthCheck: { type: 'tcp', address: '{{host.address}}:9' } },
      { healthCheck: undefined },
      { targetPath: join(work, 'elsewhere.json') },
      { targetPath: join(work, 'prod-def.json'), stageRoot: '/tmp' },
      { kind: 'text' },
      { selector: { names: ['cfg-prod', 'cfg-a'] } },
      { selector: { names: ['cfg-a'] } },
    ];
    for (const change of changes) {
      const res = await request(server)
        .put(`/api/config/sets/${prodSet.id}`)
        .set('Authorization', bob)
        .send({ ...defined, ...change });
      expect([JSON.stringify(change), res.status]).toEqual([
        JSON.stringify(change),
        403,
      ]);
      expect(res.body.error.message).toMatch(/cfg-prod.*config\.push\.prod/);
    }
    // a staging set cannot be pointed at a prod host either
    const stagingSet = (
      await request(server)
        .post('/api/config/sets')
        .set('Authorization', bob)
        .send({
          ...defined,
          name: 'staging-def',
          selector: { names: ['cfg-a'] },
        })
        .expect(201)
    ).body;
    await request(server)
      .put(`/api/config/sets/${stagingSet.id}`)
      .set('Authorization', bob)
      .send({ ...defined, name: 'staging-def' })
      .expect(403);
    // nothing was written
    for (const set of [prodSet, stagingSet]) {
      const now = await request(server)
        .get(`/api/config/sets/${set.id}`)
        .set('Authorization', bob)
        .expect(200);
      expect(now.body).toEqual(set);
    }
    expect(
      audits.filter(a => a.status === 'failed').map(a => [a.eventId, a.actor]),
    ).toEqual([
      ['config-set-create', bob],
      ...changes.map(() => ['config-set-update', bob]),
      ['config-set-update', bob],
    ]);

    // what does not run on the hosts stays config.edit: the owner, the
    // staging set's commands, and versions (reviewed as diffs at push)
    await request(server)
      .put(`/api/config/sets/${prodSet.id}`)
      .set('Authorization', bob)
      .send({ ...defined, owner: 'group:default/dba' })
      .expect(200);
    await request(server)
      .put(`/api/config/sets/${stagingSet.id}`)
      .set('Authorization', bob)
      .send({
        ...defined,
        name: 'staging-def',
        selector: { names: ['cfg-a'] },
        reloadCommand: 'echo reloaded',
      })
      .expect(200);
    await request(server)
      .post(`/api/config/sets/${prodSet.id}/versions`)
      .set('Authorization', bob)
      .send({ template: '{}\n', message: 'bob edits the template' })
      .expect(201);
    // the admin may change them
    await request(server)
      .put(`/api/config/sets/${prodSet.id}`)
      .set('Authorization', alice)
      .send({ ...defined, reloadCommand: 'echo reloaded' })
      .expect(200);
  });

  it('refuses a rendered JSON file that does not parse, on the host untouched', async () => {
    const { server } = await start();
    const target = join(work, 'bad.json');
    const set = (
      await request(server)
        .post('/api/config/sets')
        .set('Authorization', bob)
        .send({ ...setBody(target), name: 'bad-json' })
        .expect(201)
    ).body;
    await request(server)
      .post(`/api/config/sets/${set.id}/versions`)
      .set('Authorization', bob)
      .send({
        template: '{"a": {{vars.x}} }\n',
        message: 'x',
        variables: { defaults: { x: 'not json' } },
      })
      .expect(201);
    const pushed = await request(server)
      .post(`/api/config/sets/${set.id}/releases`)
      .set('Authorization', bob)
      .send({ version: 1 })
      .expect(201);
    let release: any;
    await eventually(async () => {
      release = (
        await request(server)
          .get(`/api/config/releases/${pushed.body.id}`)
          .set('Authorization', bob)
      ).body;
      return release.status !== 'running';
    });
    expect(release.hosts[0]).toMatchObject({ state: 'failed' });
    expect(release.hosts[0].error).toMatch(/Not valid JSON/);
  });
});
