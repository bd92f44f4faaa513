import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
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
import type { Knex } from 'knex';
import { hostEntity, startConfigBackend } from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

// Rolling releases with pauses between batches: a stop after the first
// batch until a person continues (or aborts), a timed pause, both re-checked
// at the continue as a push is, the state in the database (a continue works
// after a restart of the backend).
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const bob = mockCredentials.user.header('user:default/bob');
const alice = mockCredentials.user.header('user:default/alice');
const erin = mockCredentials.user.header('user:default/erin');

let sshd: SshdHosts;
let work: string;
beforeAll(async () => {
  sshd = await startSshdHosts(3);
  work = mkdtempSync(join(tmpdir(), 'opsdeck-config-pauses-'));
  chmodSync(work, 0o777);
});
afterAll(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const names = ['cfg-p0', 'cfg-p1', 'cfg-p2'];

async function boot(knex: Knex, entities: Entity[]) {
  const backend = await startConfigBackend({
    knex,
    privateKey: sshd.privateKeyText,
    entities,
    deny: {
      'user:default/bob': ['opsdeck.config.push.prod'],
      'user:default/erin': [
        'opsdeck.config.edit',
        'opsdeck.config.push',
        'opsdeck.config.push.prod',
      ],
    },
  });
  const api = (who: string, method: 'get' | 'post' | 'put', url: string) =>
    request(backend.server)
      [method](`/api/config${url}`)
      .set('Authorization', who);
  const releaseOf = async (id: number) =>
    (await api(bob, 'get', `/releases/${id}`).expect(200)).body;
  const until = async (id: number, status: string) => {
    let last: any;
    await eventually(async () => {
      last = await releaseOf(id);
      return last.status === status;
    });
    return last;
  };
  return { ...backend, api, releaseOf, until };
}

async function start() {
  const knex = await databases.init('SQLITE_3');
  const entities = sshd.hosts.map((h, i) => hostEntity(names[i], h.port));
  const backend = await boot(knex, entities);
  const target = join(work, `p-${Math.random().toString(36).slice(2)}.txt`);
  const definition = {
    name: `paused-${Math.random().toString(36).slice(2, 8)}`,
    kind: 'text',
    owner: 'group:default/ops',
    selector: { tags: ['lab'] },
    targetPath: target,
  };
  const set = (
    await backend.api(bob, 'post', '/sets').send(definition).expect(201)
  ).body;
  for (const template of ['one\n', 'two\n']) {
    await backend
      .api(bob, 'post', `/sets/${set.id}/versions`)
      .send({ template, message: template })
      .expect(201);
  }
  return { ...backend, knex, entities, set, definition, target };
}

const states = (release: any) => release.hosts.map((h: any) => h.state);

describe('config releases: pauses between batches', () => {
  it('stops after the first batch until a person continues, also after a restart', async () => {
    const { api, until, set, knex, entities, stop, target } = await start();
    const pushed = await api(bob, 'post', `/sets/${set.id}/releases`)
      .send({ version: 1, batchSize: 1, confirmFirstBatch: true })
      .expect(201);
    expect(pushed.body).toMatchObject({
      confirmFirstBatch: true,
      pauseSeconds: 0,
    });
    const paused = await until(pushed.body.id, 'paused');
    expect(paused).toMatchObject({ nextBatch: 1 });
    expect(paused.resumeAt).toBeUndefined();
    expect(states(paused)).toEqual(['done', 'pending', 'pending']);
    expect(readFileSync(target, 'utf8')).toBe('one\n');
    // a paused release holds the set: no other push meanwhile
    const busy = await api(bob, 'post', `/sets/${set.id}/releases`)
      .send({ version: 2 })
      .expect(409);
    // with a code the portal says in the reader's language
    expect(busy.body.error).toMatchObject({
      code: 'config-release-busy',
      release: paused.id,
      status: 'paused',
    });
    // a viewer may neither continue nor abort
    await api(erin, 'post', `/releases/${paused.id}/continue`).expect(403);
    await api(erin, 'post', `/releases/${paused.id}/abort`).expect(403);
    await stop();

    // the backend restarts: the paused release is still there and goes on
    const again = await boot(knex, entities);
    expect(states(await again.releaseOf(paused.id))).toEqual([
      'done',
      'pending',
      'pending',
    ]);
    const continued = await again
      .api(bob, 'post', `/releases/${paused.id}/continue`)
      .expect(200);
    expect(continued.body.status).not.toBe('paused');
    const done = await again.until(paused.id, 'done');
    expect(states(done)).toEqual(['done', 'done', 'done']);
    // continued once only
    await again.api(bob, 'post', `/releases/${paused.id}/continue`).expect(409);
    expect(
      again.audits.filter(a => a.eventId === 'config-release-continue'),
    ).toEqual([
      expect.objectContaining({ actor: bob, status: 'succeeded' }),
      expect.objectContaining({ actor: bob, status: 'failed' }),
    ]);
    await again.stop();
  });

  it('aborts a paused release: its later hosts are never pushed', async () => {
    const { api, until, set, audits, stop } = await start();
    const { id } = (
      await api(bob, 'post', `/sets/${set.id}/releases`)
        .send({ version: 1, batchSize: 2, confirmFirstBatch: true })
        .expect(201)
    ).body;
    await until(id, 'paused');
    const aborted = (
      await api(alice, 'post', `/releases/${id}/abort`).expect(200)
    ).body;
    expect(aborted.status).toBe('aborted');
    expect(states(aborted)).toEqual(['done', 'done', 'aborted']);
    expect(aborted.abortedBy).toBe('user:default/alice');
    expect(aborted.hosts[2].error).toMatch(/aborted by user:default\/alice/);
    const again = await api(bob, 'post', `/releases/${id}/continue`).expect(
      409,
    );
    expect(again.body.error).toMatchObject({
      code: 'config-release-not-paused',
      release: id,
      status: 'aborted',
    });
    await api(alice, 'post', `/releases/${id}/abort`).expect(409);
    expect(
      audits.find(a => a.eventId === 'config-release-abort'),
    ).toMatchObject({
      actor: alice,
      status: 'succeeded',
      meta: expect.objectContaining({ status: 'aborted' }),
    });
    // the set is free again
    await api(bob, 'post', `/sets/${set.id}/releases`)
      .send({ version: 2 })
      .expect(201);
    await stop();
  });

  it('a timed pause goes on by itself', async () => {
    const { api, until, set, stop } = await start();
    const { id } = (
      await api(bob, 'post', `/sets/${set.id}/releases`)
        .send({ version: 1, batchSize: 2, pauseSeconds: 3 })
        .expect(201)
    ).body;
    const paused = await until(id, 'paused');
    expect(paused.resumeAt).toEqual(expect.any(String));
    expect(states(paused)).toEqual(['done', 'done', 'pending']);
    expect(states(await until(id, 'done'))).toEqual(['done', 'done', 'done']);
    await api(bob, 'post', `/sets/${set.id}/releases`)
      .send({ version: 1, pauseSeconds: 3601 })
      .expect(400);
    await stop();
  });

  it('a timed pause goes on after a backend restart, at its own time, as the person who pushed', async () => {
    const { api, until, set, knex, entities, stop, target } = await start();
    const { id } = (
      await api(bob, 'post', `/sets/${set.id}/releases`)
        .send({ version: 1, batchSize: 1, pauseSeconds: 4 })
        .expect(201)
    ).body;
    const paused = await until(id, 'paused');
    expect(states(paused)).toEqual(['done', 'pending', 'pending']);
    // the backend stops during the pause (its timer with it)
    await stop();
    const again = await boot(knex, entities);
    // still paused, with the time it had left (nobody continued it)
    const after = await again.releaseOf(id);
    expect(after).toMatchObject({
      status: 'paused',
      nextBatch: 1,
      resumeAt: paused.resumeAt,
    });
    // goes on by itself: each later batch after its own pause
    const done = await again.until(id, 'done');
    expect(states(done)).toEqual(['done', 'done', 'done']);
    expect(Date.parse(done.hosts[1].startedAt)).toBeGreaterThanOrEqual(
      Date.parse(paused.resumeAt),
    );
    expect(readFileSync(target, 'utf8')).toBe('one\n');
    await again.stop();
  });

  it('a timed pause that ended while no backend ran goes on at the start; to a prod host without the approval it stays paused', async () => {
    const { api, until, set, knex, entities, stop } = await start();
    const push = async () =>
      (
        await api(bob, 'post', `/sets/${set.id}/releases`)
          .send({ version: 1, batchSize: 1, pauseSeconds: 2 })
          .expect(201)
      ).body.id as number;
    const id = await push();
    const paused = await until(id, 'paused');
    await stop();
    // down for longer than the pause
    await new Promise(r =>
      setTimeout(r, Date.parse(paused.resumeAt) - Date.now() + 500),
    );
    let again = await boot(knex, entities);
    expect(states(await again.until(id, 'done'))).toEqual([
      'done',
      'done',
      'done',
    ]);

    // bob may not push to prod: after a restart his timed pause does not
    // go on to a host that became prod (nobody can check his permission)
    const prodLater = (
      await again
        .api(bob, 'post', `/sets/${set.id}/releases`)
        .send({ version: 2, batchSize: 1, pauseSeconds: 2 })
        .expect(201)
    ).body.id as number;
    await again.until(prodLater, 'paused');
    await again.stop();
    entities[1].spec!.environment = 'prod';
    again = await boot(knex, entities);
    await eventually(() =>
      again.logLines.some(l =>
        l.includes(`Config release ${prodLater} did not go on by itself`),
      ),
    );
    const stays = await again.until(prodLater, 'paused');
    expect(states(stays)).toEqual(['done', 'pending', 'pending']);
    // a person decides
    await again
      .api(alice, 'post', `/releases/${prodLater}/continue`)
      .expect(200);
    expect(states(await again.until(prodLater, 'done'))).toEqual([
      'done',
      'done',
      'done',
    ]);
    entities[1].spec!.environment = 'staging';
    await again.stop();
  });

  it('aborts a running release over HTTP: a viewer may not; of parallel aborts and a continue one abort decides', async () => {
    const { api, until, set, audits, stop, definition } = await start();
    const gate = join(work, `gate-${set.id}`);
    await api(bob, 'put', `/sets/${set.id}`)
      .send({
        ...definition,
        reloadCommand: `while [ ! -e ${gate} ]; do sleep 0.1; done`,
      })
      .expect(200);
    const { id } = (
      await api(bob, 'post', `/sets/${set.id}/releases`)
        .send({ version: 2, batchSize: 1 })
        .expect(201)
    ).body;
    await eventually(
      async () => (await until(id, 'running')).hosts[0].state === 'reloading',
    );
    await api(erin, 'post', `/releases/${id}/abort`).expect(403);
    const answers = await Promise.all([
      api(alice, 'post', `/releases/${id}/abort`),
      api(bob, 'post', `/releases/${id}/abort`),
      api(bob, 'post', `/releases/${id}/continue`),
    ]);
    expect(answers.map(a => a.status).sort()).toEqual([200, 409, 409]);
    const won = answers.find(a => a.status === 200)!.body;
    expect(won).toMatchObject({ status: 'aborting' });
    expect(states(won)).toEqual(['reloading', 'aborted', 'aborted']);
    writeFileSync(gate, '');
    const ended = await until(id, 'aborted');
    expect(states(ended)).toEqual(['done', 'aborted', 'aborted']);
    expect(
      audits.filter(
        a => a.eventId === 'config-release-abort' && a.status === 'succeeded',
      ),
    ).toEqual([
      expect.objectContaining({
        actor: won.abortedBy === 'user:default/alice' ? alice : bob,
      }),
    ]);
    await stop();
  });

  it('re-checks a continue: a host that became prod, a set whose commands changed', async () => {
    const { api, until, set, entities, definition, logLines, stop } =
      await start();
    const push = async (body: object) =>
      (
        await api(bob, 'post', `/sets/${set.id}/releases`)
          .send({ version: 1, batchSize: 1, confirmFirstBatch: true, ...body })
          .expect(201)
      ).body.id as number;
    const id = await push({});
    await until(id, 'paused');
    // a remaining host is prod now in the catalog
    entities[2].spec!.environment = 'prod';
    const refused = await api(bob, 'post', `/releases/${id}/continue`).expect(
      403,
    );
    expect(refused.body).toMatchObject({
      approvalRequired: true,
      error: { message: expect.stringMatching(/cfg-p2.*config\.push\.prod/) },
    });
    expect((await until(id, 'paused')).nextBatch).toBe(1);
    // alice may push to prod: she continues it
    await api(alice, 'post', `/releases/${id}/continue`).expect(200);
    expect(states(await until(id, 'done'))).toEqual(['done', 'done', 'done']);

    // a timed pause does not go on to a host that became prod meanwhile
    entities[2].spec!.environment = 'staging';
    const timed = await push({ confirmFirstBatch: false, pauseSeconds: 3 });
    await until(timed, 'paused');
    entities[2].spec!.environment = 'prod';
    await eventually(() =>
      logLines.some(l =>
        l.includes(`Config release ${timed} did not go on by itself`),
      ),
    );
    const stays = await until(timed, 'paused');
    expect(stays.nextBatch).toBe(1);
    expect(states(stays)).toEqual(['done', 'pending', 'pending']);
    await api(alice, 'post', `/releases/${timed}/abort`).expect(200);

    // the set's commands change during the pause: the release cannot go on
    entities[2].spec!.environment = 'staging';
    const changed = await push({});
    await until(changed, 'paused');
    await api(bob, 'put', `/sets/${set.id}`)
      .send({ ...definition, reloadCommand: 'true' })
      .expect(200);
    const conflict = await api(bob, 'post', `/releases/${changed}/continue`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/changed since release/);
    await api(alice, 'post', `/releases/${changed}/continue`).expect(409);
    await stop();
  });
});
