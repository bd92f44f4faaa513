import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDistributionStore } from './DatabaseDistributionStore';
import { DatabaseFileLibrary } from './DatabaseFileLibrary';
import { applyFilesMigrations, rollbackFilesMigrations } from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('files stores (%s)', id => {
  async function setup() {
    const knex = await databases.init(id);
    await applyFilesMigrations(knex);
    let now = 1_700_000_000_000;
    const clock = () => now++;
    return {
      knex,
      library: new DatabaseFileLibrary(knex, clock),
      distributions: new DatabaseDistributionStore(knex, clock),
    };
  }

  const file = (name: string, key: string) => ({
    name,
    size: 5_000_000_000, // above 32 bits
    sha256: 'a'.repeat(64),
    storageKey: key,
    uploader: 'user:default/alice',
    ownerGroup: 'group:default/ops',
  });

  it('numbers versions per name, lists, finds, applies retention and deletes', async () => {
    const { library } = await setup();
    const v1 = await library.addVersion(file('app.tgz', 'k1'));
    const v2 = await library.addVersion(file('app.tgz', 'k2'));
    const other = await library.addVersion(file('Other.conf', 'k3'));
    expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
    expect(v1).toMatchObject({
      size: 5_000_000_000,
      ownerGroup: 'group:default/ops',
    });
    expect(await library.get(v2.id)).toEqual(v2);
    expect(await library.getByStorageKey('k3')).toEqual(other);
    expect((await library.list()).map(f => [f.name, f.version])).toEqual([
      ['Other.conf', 1],
      ['app.tgz', 2],
      ['app.tgz', 1],
    ]);
    expect((await library.list({ q: 'OTHER' })).map(f => f.id)).toEqual([
      other.id,
    ]);
    expect((await library.list({ q: '%' })).map(f => f.id)).toEqual([]);
    expect((await library.olderVersions('app.tgz', 1)).map(f => f.id)).toEqual([
      v1.id,
    ]);
    expect(await library.delete(v1.id)).toBe(true);
    expect(await library.delete(v1.id)).toBe(false);
    // the next version continues after the highest, not the count
    expect((await library.addVersion(file('app.tgz', 'k4'))).version).toBe(3);
  });

  it('gives concurrent uploads of one name distinct versions', async () => {
    const { library } = await setup();
    const versions = await Promise.all(
      [1, 2, 3, 4].map(i => library.addVersion(file('same', `c${i}`))),
    );
    expect(versions.map(v => v.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('makes one version of one upload however many finishers race', async () => {
    const { library } = await setup();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => library.addVersionOnce(file('once', 'same-key'))),
    );
    expect(results.filter(r => r.created)).toHaveLength(1);
    expect(new Set(results.map(r => r.file.id)).size).toBe(1);
    expect(await library.list({ name: 'once' })).toHaveLength(1);
  });

  it('keeps distributions with per-host state, counts, requeue and finish', async () => {
    const { library, distributions } = await setup();
    const f = await library.addVersion(file('app.tgz', 'k1'));
    const d = await distributions.create(
      {
        fileId: f.id,
        fileName: f.name,
        fileVersion: f.version,
        size: f.size,
        sha256: f.sha256,
        targetPath: '/opt/app.tgz',
        fileMode: 0o640,
        fileOwner: 'app:app',
        strategy: 'direct',
        concurrency: 5,
        createdBy: 'user:default/alice',
      },
      Array.from({ length: 120 }, (_, i) => ({
        host: `resource:default/h-${String(i).padStart(3, '0')}`,
        address: '127.0.0.1',
        port: 22000 + i,
        loginUser: 'opsdeck',
        credential: i % 2 ? 'ops-ssh' : undefined,
      })),
    );
    expect(d).toMatchObject({
      status: 'running',
      fileMode: 0o640,
      size: 5_000_000_000,
    });
    expect(d.hosts).toHaveLength(120);
    expect(d.hosts[1]).toMatchObject({
      position: 1,
      state: 'pending',
      credential: 'ops-ssh',
    });

    await distributions.updateHost(d.id, d.hosts[0].host, {
      state: 'verified',
      bytes: 5_000_000_000,
      rate: 123.5,
      attempts: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
    });
    await distributions.updateHost(d.id, d.hosts[1].host, {
      state: 'failed',
      error: 'boom',
      attempts: 2,
    });
    await distributions.updateHost(d.id, d.hosts[2].host, {
      state: 'transferring',
      bytes: 10,
    });
    const got = (await distributions.get(d.id))!;
    expect(got.hosts[0]).toMatchObject({
      state: 'verified',
      bytes: 5_000_000_000,
      rate: 123.5,
      finishedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(got.hosts[1]).toMatchObject({
      state: 'failed',
      error: 'boom',
      attempts: 2,
    });

    expect((await distributions.listRunning()).map(x => x.id)).toEqual([d.id]);
    await distributions.finish(d.id);
    expect(await distributions.listRunning()).toEqual([]);
    const [listed] = await distributions.list();
    expect(listed).toMatchObject({
      id: d.id,
      status: 'done',
      counts: {
        verified: 1,
        failed: 1,
        transferring: 1,
        pending: 117,
        verifying: 0,
      },
    });

    expect(
      await distributions.requeueHosts(d.id, ['failed', 'transferring']),
    ).toBe(2);
    const requeued = (await distributions.get(d.id))!;
    expect(requeued.status).toBe('running');
    expect(requeued.hosts[1]).toMatchObject({ state: 'pending', attempts: 2 });
    expect(requeued.hosts[1].error).toBeUndefined();
    expect(requeued.hosts[2]).toMatchObject({ state: 'pending', bytes: 0 });
    expect(await distributions.requeueHosts(d.id, ['failed'])).toBe(0);
  });

  it('rolls back cleanly', async () => {
    const { knex } = await setup();
    await rollbackFilesMigrations(knex);
    expect(await knex.schema.hasTable('files')).toBe(false);
    await applyFilesMigrations(knex);
    expect(await knex.schema.hasTable('distribution_hosts')).toBe(true);
  });
});
