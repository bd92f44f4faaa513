import { TestDatabases } from '@backstage/backend-test-utils';
import type { ConfigSetInput } from '@opsdeck/plugin-config-common';
import { ConfigStore } from './ConfigStore';
import { applyConfigMigrations, rollbackConfigMigrations } from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const input: ConfigSetInput = {
  name: 'web-nginx',
  kind: 'nginx',
  owner: 'group:default/ops',
  selector: { tags: ['web'] },
  targetPath: '/etc/nginx/nginx.conf',
  healthCheck: { type: 'http', url: 'http://{{host.address}}/' },
};

describe.each(databases.eachSupportedId())('ConfigStore (%s)', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    await applyConfigMigrations(knex);
    return { knex, store: new ConfigStore(knex) };
  }

  it('keeps sets with their selector and health check, names unique', async () => {
    const { store: s } = await store();
    const created = await s.createSet(input, 'user:default/alice');
    expect(created).toMatchObject({
      ...input,
      createdBy: 'user:default/alice',
      latestVersion: 0,
    });
    await expect(s.createSet(input, 'user:default/bob')).rejects.toMatchObject({
      message: expect.stringMatching(/exists/),
      // still a ConflictError (409), its name not replaced by the set's
      name: 'ConflictError',
      code: 'config-set-exists',
      setName: 'web-nginx',
    });
    const updated = await s.updateSet(created.id, {
      ...input,
      selector: { names: ['web-01'] },
    });
    expect(updated.selector).toEqual({ names: ['web-01'] });
    expect((await s.listSets()).map(x => x.name)).toEqual(['web-nginx']);
  });

  it('pauses a release, and of concurrent continues and aborts exactly one wins', async () => {
    const { store: s } = await store();
    const set = await s.createSet(input, 'user:default/alice');
    const release = await s.createRelease({
      setId: set.id,
      version: 1,
      action: 'push',
      batchSize: 1,
      createdBy: 'user:default/bob',
      hosts: ['resource:default/a', 'resource:default/b'],
      confirmFirstBatch: true,
      definitionSha256: 'f'.repeat(64),
      approvalTicket: 7,
    });
    expect(release).toMatchObject({
      status: 'running',
      nextBatch: 0,
      pauseSeconds: 0,
      confirmFirstBatch: true,
    });
    expect(await s.releaseChecks(release.id)).toEqual({
      definitionSha256: 'f'.repeat(64),
      approvalTicket: 7,
      drivenBy: 'user:default/bob',
    });
    // a claim of a release that is not paused gets nothing
    expect(await s.claimPaused(release.id, 0, 'user:default/bob')).toBe(false);
    await s.pauseRelease(release.id, 1, Date.UTC(2030, 0, 1));
    expect(await s.getRelease(release.id)).toMatchObject({
      status: 'paused',
      nextBatch: 1,
      resumeAt: '2030-01-01T00:00:00.000Z',
    });
    // a restart fails what was running, never what is paused
    expect(await s.failInterrupted()).toBe(0);
    expect(await s.timedPauses()).toEqual([
      { id: release.id, nextBatch: 1, resumeAt: Date.UTC(2030, 0, 1) },
    ]);
    // a stale claim (another batch) gets nothing
    expect(await s.claimPaused(release.id, 0, 'user:default/bob')).toBe(false);
    const outcomes = await Promise.all([
      s.claimPaused(release.id, 1, 'user:default/carol'),
      s.claimPaused(release.id, 1, 'user:default/carol'),
      s.abortRelease(release.id, 'user:default/alice'),
      s.claimPaused(release.id, 1, 'user:default/carol'),
    ]);
    const claims = [outcomes[0], outcomes[1], outcomes[3]].filter(Boolean);
    expect(claims.length).toBeLessThanOrEqual(1);
    const after = await s.getRelease(release.id);
    // aborted while paused: nobody continues it; continued first: the abort
    // stops the running release (no host of it starts any more)
    expect([outcomes[2], after?.status]).toEqual(
      claims.length === 1 ? ['aborting', 'aborting'] : ['aborted', 'aborted'],
    );
    expect(after?.resumeAt).toBeUndefined();
    expect(await s.timedPauses()).toEqual([]);
    // a continue drives the rest of the release (a restart goes on as them)
    expect((await s.releaseChecks(release.id))?.drivenBy).toBe(
      claims.length === 1 ? 'user:default/carol' : 'user:default/bob',
    );
  });

  it('aborts a running release in one statement against its end, a pause and its hosts starting', async () => {
    const { store: s } = await store();
    const set = await s.createSet(input, 'user:default/alice');
    const hosts = ['a', 'b', 'c', 'd'].map(h => `resource:default/${h}`);
    for (let round = 0; round < 8; round++) {
      const release = await s.createRelease({
        setId: set.id,
        version: 1,
        action: 'push',
        batchSize: 2,
        createdBy: 'user:default/bob',
        hosts,
        pauseSeconds: 60,
      });
      // the first batch runs: one host started, one about to start
      expect(await s.startHost(release.id, hosts[0])).toBe(true);
      expect(await s.startHost(release.id, hosts[0])).toBe(false);
      const [started, aborted, finished, paused] = await Promise.all([
        s.startHost(release.id, hosts[1]),
        s.abortRelease(release.id, 'user:default/alice'),
        round % 2 === 0
          ? s.finishRelease(release.id, 'done')
          : Promise.resolve(false),
        round % 2 === 1
          ? s.pauseRelease(release.id, 1, Date.now() + 60_000)
          : Promise.resolve(false),
      ]);
      const after = (await s.getRelease(release.id))!;
      // the releaser ends the release when its batch ends
      const ended = await s.finishRelease(release.id, 'done');
      const final = (await s.getRelease(release.id))!;
      // either order, never both: an accepted abort ends `aborted` (never
      // done, never paused; `aborting` until the batch ends); a release that
      // ended first is not aborted; a paused one is aborted at once
      let expected: object;
      if (round % 2 === 0) {
        // aborted first: the release's own end makes it `aborted`
        expected = aborted
          ? { aborted: 'aborting', now: 'aborted', ended: false }
          : { aborted: undefined, now: 'done', ended: false };
      } else {
        expected = paused
          ? { aborted: 'aborted', now: 'aborted', ended: false }
          : { aborted: 'aborting', now: 'aborting', ended: true };
      }
      expect({ aborted, now: after.status, ended }).toEqual(expected);
      expect([round % 2 === 0 ? finished : true, final.status]).toEqual([
        true,
        aborted ? 'aborted' : 'done',
      ]);
      expect(final.abortedBy).toBe(aborted ? 'user:default/alice' : undefined);
      // a host either started (ends its own step) or never will (not started
      // and not aborted: the release had ended first)
      let second = 'pending';
      if (started) second = 'uploading';
      else if (aborted) second = 'aborted';
      expect(final.hosts.map(h => h.state)).toEqual([
        'uploading',
        second,
        aborted ? 'aborted' : 'pending',
        aborted ? 'aborted' : 'pending',
      ]);
      // no host starts any more
      expect(
        await Promise.all(hosts.slice(1).map(h => s.startHost(release.id, h))),
      ).toEqual([false, false, false]);
      // ended: a second abort gets nothing
      expect(
        await s.abortRelease(release.id, 'user:default/alice'),
      ).toBeUndefined();
    }
  });

  it('ends releases cut short by a restart: an aborting one aborted, its started hosts failed', async () => {
    const { store: s } = await store();
    const set = await s.createSet(input, 'user:default/alice');
    const release = await s.createRelease({
      setId: set.id,
      version: 1,
      action: 'push',
      batchSize: 1,
      createdBy: 'user:default/bob',
      hosts: ['resource:default/a', 'resource:default/b'],
    });
    expect(await s.startHost(release.id, 'resource:default/a')).toBe(true);
    expect(await s.abortRelease(release.id, 'user:default/alice')).toBe(
      'aborting',
    );
    expect(await s.failInterrupted()).toBe(1);
    const after = (await s.getRelease(release.id))!;
    expect(after.status).toBe('aborted');
    expect(after.hosts.map(h => [h.state, h.error])).toEqual([
      ['failed', 'interrupted by a backend restart; check drift'],
      ['aborted', 'not pushed: the release was aborted by user:default/alice'],
    ]);
  });

  it('at start fails only releases whose runner is gone: one another live backend runs is left alone', async () => {
    const knex = await databases.init(databaseId);
    await applyConfigMigrations(knex);
    // two backends on one database; b starts while a runs a release
    const a = new ConfigStore(knex, { runner: 'host-a:7007' });
    const b = new ConfigStore(knex, { runner: 'host-b:7007' });
    const set = await a.createSet(input, 'user:default/alice');
    const release = (s: ConfigStore, host: string) =>
      s.createRelease({
        setId: set.id,
        version: 1,
        action: 'push',
        batchSize: 1,
        createdBy: 'user:default/bob',
        hosts: [host],
      });
    const live = await release(a, 'resource:default/live');
    const gone = await release(a, 'resource:default/gone');
    const own = await release(b, 'resource:default/own');
    for (const r of [live, gone, own]) {
      await a.startHost(r.id, r.hosts[0].host);
    }
    // the periodic sweep of a running backend leaves its own live releases
    expect(await b.failInterrupted({ ownPrevious: false })).toBe(0);
    // a's lease on `gone` was last renewed long ago (a crashed); b's own
    // release is from b's previous process (same instance name)
    await knex('config_releases')
      .where({ id: gone.id })
      .update({ runner_renewed_at: 0 });
    // two backends starting at once: each release ends once
    const counts = await Promise.all([
      b.failInterrupted(),
      b.failInterrupted(),
    ]);
    expect(counts[0] + counts[1]).toBe(2);
    const state = async (id: number) => {
      const r = (await a.getRelease(id))!;
      return [r.status, r.hosts[0].state];
    };
    expect(await state(live.id)).toEqual(['running', 'uploading']);
    expect(await state(gone.id)).toEqual(['failed', 'failed']);
    expect(await state(own.id)).toEqual(['failed', 'failed']);
    // a backend whose name changed at restart: the sweep ends its releases
    // once their lease expires
    const other = await release(a, 'resource:default/other');
    await knex('config_releases')
      .where({ id: other.id })
      .update({ runner_renewed_at: 0 });
    expect(await b.failInterrupted({ ownPrevious: false })).toBe(1);
    expect(await state(other.id)).toEqual(['failed', 'failed']);
    // the live runner's renewal keeps it live; once it stops renewing for
    // the ttl, its release is failed too, and it cannot renew any more
    const age = () =>
      knex('config_releases')
        .where({ id: live.id })
        .update({ runner_renewed_at: 0 });
    await age();
    expect(await a.runners.renew(live.id)).toBe(true);
    expect(await b.failInterrupted()).toBe(0);
    await age();
    expect(await b.failInterrupted()).toBe(1);
    expect(await state(live.id)).toEqual(['failed', 'failed']);
    expect(await a.runners.renew(live.id)).toBe(false);
  });

  it('a paused release is free to continue on any backend: the continue takes its lease', async () => {
    const knex = await databases.init(databaseId);
    await applyConfigMigrations(knex);
    const a = new ConfigStore(knex, { runner: 'host-a:7007' });
    const b = new ConfigStore(knex, { runner: 'host-b:7007' });
    const set = await a.createSet(input, 'user:default/alice');
    const r = await a.createRelease({
      setId: set.id,
      version: 1,
      action: 'push',
      batchSize: 1,
      createdBy: 'user:default/bob',
      hosts: ['resource:default/x', 'resource:default/y'],
    });
    const runner = async () =>
      (await knex('config_releases').where({ id: r.id }).first('runner'))
        .runner;
    expect(await runner()).toBe('host-a:7007');
    expect(await a.pauseRelease(r.id, 1)).toBe(true);
    expect(await runner()).toBeNull();
    expect(await b.claimPaused(r.id, 1, 'user:default/carol')).toBe(true);
    expect(await runner()).toBe('host-b:7007');
    // a (restarting) leaves b's running release alone
    expect(await a.failInterrupted()).toBe(0);
    expect((await a.getRelease(r.id))!.status).toBe('running');
  });

  it('aborts a paused release: its pending hosts aborted, never pushed', async () => {
    const { store: s } = await store();
    const set = await s.createSet(input, 'user:default/alice');
    const release = await s.createRelease({
      setId: set.id,
      version: 1,
      action: 'push',
      batchSize: 1,
      createdBy: 'user:default/bob',
      hosts: ['resource:default/a', 'resource:default/b'],
    });
    await s.updateHost(release.id, 'resource:default/a', {
      state: 'done',
      finished: true,
    });
    await s.pauseRelease(release.id, 1);
    expect(await s.abortRelease(release.id, 'user:default/alice')).toBe(
      'aborted',
    );
    const aborted = await s.getRelease(release.id);
    expect(aborted).toMatchObject({
      status: 'aborted',
      abortedBy: 'user:default/alice',
    });
    expect(aborted?.finishedAt).toEqual(expect.any(String));
    expect(aborted?.hosts.map(h => [h.state, h.error])).toEqual([
      ['done', undefined],
      ['aborted', 'not pushed: the release was aborted by user:default/alice'],
    ]);
    expect(
      await s.abortRelease(release.id, 'user:default/alice'),
    ).toBeUndefined();
    // nor does an ended release finish again
    expect(await s.finishRelease(release.id, 'done')).toBe(false);
  });

  it('numbers versions one by one, also for concurrent saves, and never changes them', async () => {
    const { store: s } = await store();
    const set = await s.createSet(input, 'user:default/alice');
    const saved = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        s.addVersion({
          setId: set.id,
          template: `v${i}`,
          variables: { defaults: { i } },
          message: `save ${i}`,
          author: 'user:default/alice',
        }),
      ),
    );
    expect(saved.map(v => v.version).sort()).toEqual([1, 2, 3, 4, 5]);
    const rollback = await s.addVersion({
      setId: set.id,
      template: saved[0].template,
      variables: saved[0].variables,
      message: 'rollback',
      author: 'user:default/bob',
      rolledBackFrom: saved[0].version,
    });
    expect(rollback).toMatchObject({
      version: 6,
      rolledBackFrom: saved[0].version,
      author: 'user:default/bob',
    });
    const all = await s.listVersions(set.id);
    expect(all.map(v => v.version)).toEqual([6, 5, 4, 3, 2, 1]);
    expect((await s.getSet(set.id))!.latestVersion).toBe(6);
    expect(await s.getVersion(set.id, saved[0].version)).toEqual(saved[0]);
  });

  it('records releases with per-host progress and the drift baseline', async () => {
    const { store: s } = await store();
    const set = await s.createSet(input, 'user:default/alice');
    await s.addVersion({
      setId: set.id,
      template: 'x',
      variables: {},
      message: 'first',
      author: 'user:default/alice',
    });
    const r = await s.createRelease({
      setId: set.id,
      version: 1,
      action: 'push',
      batchSize: 2,
      createdBy: 'user:default/bob',
      hosts: ['resource:default/a', 'resource:default/b'],
    });
    expect(r.hosts.map(h => [h.host, h.state])).toEqual([
      ['resource:default/a', 'pending'],
      ['resource:default/b', 'pending'],
    ]);
    await s.updateHost(r.id, 'resource:default/a', {
      state: 'reverted',
      error: 'health check failed',
      started: true,
      finished: true,
    });
    await s.finishRelease(r.id, 'failed');
    const got = (await s.getRelease(r.id))!;
    expect(got.status).toBe('failed');
    expect(got.hosts[0]).toMatchObject({
      state: 'reverted',
      error: 'health check failed',
    });
    expect((await s.listReleases(set.id)).map(x => x.id)).toEqual([r.id]);

    for (const version of [1, 2]) {
      await s.recordHostState(set.id, {
        host: 'resource:default/a',
        version,
        releaseId: r.id,
        liveSha256: `sha-${version}`,
        liveContent: `content ${version}`,
      });
    }
    expect(await s.hostStates(set.id)).toEqual([
      expect.objectContaining({ version: 2, liveSha256: 'sha-2' }),
    ]);
  });

  it('migrates down and up again', async () => {
    const { knex } = await store();
    await rollbackConfigMigrations(knex);
    expect(await knex.schema.hasTable('config_sets')).toBe(false);
    await applyConfigMigrations(knex);
    expect(await knex.schema.hasTable('config_host_states')).toBe(true);
  });

  it('flags clear secret-looking values of versions saved before the rule, keeps vault references', async () => {
    const { store: s } = await store();
    const set = await s.createSet(
      { ...input, name: 'legacy-redis' },
      'user:default/alice',
    );
    // written as before the rule (the service refuses this now)
    const legacy = await s.addVersion({
      setId: set.id,
      template: 'requirepass {{vars.requirepass}}\n',
      variables: {
        defaults: { requirepass: 'clear', port: 6379 },
        hosts: { 'web-01': { api_key: { vault: 'web-key' } } },
      },
      message: 'legacy',
      author: 'user:default/alice',
    });
    expect(legacy.clearSecrets).toEqual(['defaults.requirepass']);
    expect((await s.getVersion(set.id, 1))!.clearSecrets).toEqual([
      'defaults.requirepass',
    ]);
    const moved = await s.addVersion({
      setId: set.id,
      template: 'requirepass {{vars.requirepass}}\n',
      variables: { defaults: { requirepass: { vault: 'redis-pass' } } },
      message: 'moved',
      author: 'user:default/alice',
    });
    expect(moved.clearSecrets).toBeUndefined();
    expect((await s.getVersion(set.id, 2))!.variables).toEqual({
      defaults: { requirepass: { vault: 'redis-pass' } },
    });
  });
  it('a release pushed without reload waits swapped; of concurrent reload claims one wins; another backend starting leaves the reload to its runner; a restart of the runner fails it', async () => {
    const { knex, store: s } = await store();
    const set = await s.createSet(input, 'user:default/alice');
    const push = async () => {
      const r = await s.createRelease({
        setId: set.id,
        version: 1,
        action: 'push',
        batchSize: 2,
        createdBy: 'user:default/bob',
        hosts: ['resource:default/a', 'resource:default/b'],
        reload: false,
      });
      for (const [host, had] of [
        ['resource:default/a', true],
        ['resource:default/b', false],
      ] as const) {
        expect(await s.startHost(r.id, host)).toBe(true);
        await s.reloads.markSwapped(r.id, host, had);
      }
      expect(await s.reloads.finishPushed(r.id)).toBe(true);
      return r.id;
    };
    const id = await push();
    expect(await s.getRelease(id)).toMatchObject({
      status: 'swapped',
      reload: false,
    });
    expect(await s.reloads.pending(set.id)).toBe(true);
    // a restart leaves a release waiting for its reload as it is
    expect(await s.failInterrupted()).toBe(0);
    const claims = await Promise.all(
      ['user:default/alice', 'user:default/bob', 'user:default/carol'].map(
        who => s.reloads.claim(id, who),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await s.reloads.startHost(id, 'resource:default/a')).toEqual({
      hadPrevious: true,
    });
    expect(await s.reloads.startHost(id, 'resource:default/a')).toBeUndefined();
    // another replica starting while this backend reloads: not its to end
    const other = new ConfigStore(knex, { runner: 'host-b:7007' });
    expect(await other.failInterrupted()).toBe(0);
    expect((await s.getRelease(id))!.status).toBe('reloading');
    // this backend's own restart: the reload was cut short
    expect(await s.failInterrupted()).toBe(1);
    const after = (await s.getRelease(id))!;
    expect(after.status).toBe('failed');
    expect(after.hosts.map(h => h.state)).toEqual(['failed', 'failed']);
    expect(await s.reloads.pending(set.id)).toBe(false);
  });
});
