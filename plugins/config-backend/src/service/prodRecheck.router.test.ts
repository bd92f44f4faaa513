import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { eventually } from '@opsdeck/plugin-remote-node/testUtils';
import request from 'supertest';
import { hostEntity, startConfigBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

// Issue #18: "a selector that gains a prod host after a set's commands
// changed is not re-checked". The prod rule must be decided from the hosts
// the selector resolves to at the push (rollback, adoption) and from the
// catalog as it is then, never from what was checked when the set was saved.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
// bob may push and edit sets, not to prod; alice may (config.push.prod)
const bob = mockCredentials.user.header('user:default/bob');
const alice = mockCredentials.user.header('user:default/alice');

// port 1 on loopback refuses at once: a push that passes the gate starts a
// release that fails fast, which is all these tests need of the hosts
const hosts = (): Record<'stg' | 'prod', Entity> => ({
  stg: hostEntity('cfg-stg', 1, {}),
  prod: hostEntity('cfg-prd', 1, { environment: 'prod' }),
});

async function start() {
  const knex = await databases.init('SQLITE_3');
  const entities = hosts();
  // the test catalog keeps these objects: editing them edits the catalog
  entities.stg.metadata.tags = ['lab', 'edge'];
  const backend = await startConfigBackend({
    knex,
    privateKey: 'unused: no host is reached',
    entities: [entities.stg, entities.prod],
    deny: { 'user:default/bob': ['opsdeck.config.push.prod'] },
  });
  const call = (
    who: string,
    method: 'post' | 'put',
    url: string,
    body: object,
  ) =>
    request(backend.server)
      [method](`/api/config${url}`)
      .set('Authorization', who)
      .send(body);
  const definition = {
    name: `edge-${Math.random().toString(36).slice(2, 8)}`,
    kind: 'text',
    owner: 'group:default/ops',
    selector: { tags: ['edge'] },
    targetPath: '/tmp/opsdeck-config-recheck/edge.conf',
  };
  // bob defines the set: its selector picks the staging host only
  const set = (await call(bob, 'post', '/sets', definition).expect(201)).body;
  await call(bob, 'post', `/sets/${set.id}/versions`, {
    template: 'a\n',
    message: 'v1',
  }).expect(201);
  await call(bob, 'post', `/sets/${set.id}/versions`, {
    template: 'b\n',
    message: 'v2',
  }).expect(201);
  // ... and changes the commands run on its hosts: allowed, no prod host yet
  await call(bob, 'put', `/sets/${set.id}`, {
    ...definition,
    reloadCommand: 'true',
    validateCommand: 'true',
  }).expect(200);
  const settled = async (releaseId: number) =>
    eventually(async () => {
      const res = await request(backend.server)
        .get(`/api/config/releases/${releaseId}`)
        .set('Authorization', bob);
      return res.body.status !== 'running';
    });
  return { ...backend, entities, set, call, settled };
}

describe('config: the prod rule is decided from the hosts resolved at the change', () => {
  it('refuses push, rollback and adoption once the selector gains a prod host by a tag', async () => {
    const { entities, set, call, settled, audits, server, stop } =
      await start();
    // before: the gate lets bob push to the staging host (the push itself fails: no sshd)
    const before = await call(bob, 'post', `/sets/${set.id}/releases`, {
      version: 1,
    }).expect(201);
    expect(before.body.hosts.map((h: any) => h.host)).toEqual([
      'resource:default/cfg-stg',
    ]);
    await settled(before.body.id);

    // the prod host gains the tag in the catalog
    entities.prod.metadata.tags = ['lab', 'edge'];

    const push = await call(bob, 'post', `/sets/${set.id}/releases`, {
      version: 2,
    }).expect(403);
    expect(push.body).toMatchObject({
      approvalRequired: true,
      error: { message: expect.stringMatching(/cfg-prd.*config\.push\.prod/) },
    });
    // naming only the staging host is fine: the push is to that host
    const named = await call(bob, 'post', `/sets/${set.id}/releases`, {
      version: 2,
      hosts: ['cfg-stg'],
    }).expect(201);
    await settled(named.body.id);
    const rollback = await call(bob, 'post', `/sets/${set.id}/rollback`, {
      toVersion: 1,
    }).expect(403);
    expect(rollback.body).toMatchObject({ approvalRequired: true });
    const adopt = await call(bob, 'post', `/sets/${set.id}/adopt`, {
      host: 'cfg-prd',
    }).expect(403);
    expect(adopt.body).toMatchObject({ approvalRequired: true });
    // a refused rollback leaves no rollback version behind
    const versions = await request(server)
      .get(`/api/config/sets/${set.id}/versions`)
      .set('Authorization', bob)
      .expect(200);
    expect(versions.body.items).toHaveLength(2);
    // alice (config.push.prod) may
    await call(alice, 'post', `/sets/${set.id}/releases`, { version: 2 })
      .expect(201)
      .then(r => settled(r.body.id));
    expect(
      audits.filter(a => a.eventId === 'config-push' && a.status === 'failed'),
    ).toHaveLength(1);
    await stop();
  });

  it('refuses a push to a host whose catalog environment became prod', async () => {
    const { entities, set, call, stop } = await start();
    entities.stg.spec!.environment = 'prod';
    for (const body of [{ version: 1 }, { version: 1, hosts: ['cfg-stg'] }]) {
      const res = await call(
        bob,
        'post',
        `/sets/${set.id}/releases`,
        body,
      ).expect(403);
      expect(res.body).toMatchObject({
        approvalRequired: true,
        error: {
          message: expect.stringMatching(/cfg-stg.*config\.push\.prod/),
        },
      });
    }
    await call(bob, 'post', `/sets/${set.id}/rollback`, {
      toVersion: 1,
    }).expect(403);
    await call(bob, 'post', `/sets/${set.id}/adopt`, {
      host: 'cfg-stg',
    }).expect(403);
    // the label is the environment too when the spec has none
    delete entities.stg.spec!.environment;
    entities.stg.metadata.labels = { 'opsdeck.io/environment': 'prod' };
    await call(bob, 'post', `/sets/${set.id}/releases`, { version: 1 }).expect(
      403,
    );
    await stop();
  });
});
