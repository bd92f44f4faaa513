import { TestDatabases } from '@backstage/backend-test-utils';
import { ERRORS } from '@tus/server';
import { applyFilesMigrations } from '../database/migrations';
import { DatabaseUploadLocker } from './DatabaseUploadLocker';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** Resolves once `check` is true (polled; generous limit, no timing assertion). */
async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 20));
  }
  throw new Error('Condition never became true');
}

describe.each(databases.eachSupportedId())('DatabaseUploadLocker (%s)', id => {
  async function setup() {
    const knex = await databases.init(id);
    await applyFilesMigrations(knex);
    // Two lockers on one database = two replicas.
    const replica = (name: string, extra = {}) =>
      new DatabaseUploadLocker(knex, {
        instanceId: name,
        heartbeatMs: 20,
        pollMs: 10,
        ...extra,
      });
    return { knex, replica };
  }

  it('lets one replica hold an upload; release lets the other in', async () => {
    const { knex, replica } = await setup();
    const a = replica('replica-a');
    const b = replica('replica-b');
    const lockA = a.newLock('upload-1');
    await lockA.lock(undefined as any, () => undefined);
    // another upload is independent
    const other = b.newLock('upload-2');
    await other.lock(undefined as any, () => undefined);

    // B waits for upload-1 and asks A (through the row) to release it
    const lockB = b.newLock('upload-1');
    let bHolds = false;
    const waiting = lockB
      .lock(undefined as any, () => undefined)
      .then(() => {
        bHolds = true;
      });
    const row = () =>
      knex('files_upload_locks').where('upload_id', 'upload-1').first();
    await until(async () => Boolean((await row()).release_requested));
    expect((await row()).holder).toMatch(/^replica-a\//);
    expect(bHolds).toBe(false);

    await lockA.unlock();
    await waiting;
    expect(bHolds).toBe(true);
    expect((await row()).holder).toMatch(/^replica-b\//);
    expect(Boolean((await row()).release_requested)).toBe(false);

    await lockB.unlock();
    await other.unlock();
    expect(await knex('files_upload_locks').select()).toEqual([]);
  });

  it("calls the holder's requestRelease when another replica waits", async () => {
    const { replica } = await setup();
    const a = replica('replica-a');
    const b = replica('replica-b');
    const lockA = a.newLock('upload-r');
    // like tus: the holder's request ends (here: unlocks) when asked to
    const requestRelease = jest.fn(() => {
      void lockA.unlock();
    });
    await lockA.lock(undefined as any, requestRelease);
    const lockB = b.newLock('upload-r');
    await lockB.lock(undefined as any, () => undefined);
    expect(requestRelease).toHaveBeenCalledTimes(1);
    await lockB.unlock();
  });

  it('refuses with tus lock timeout when the holder never lets go, or the waiting request is aborted', async () => {
    const { replica } = await setup();
    const a = replica('replica-a');
    const b = replica('replica-b', { acquireTimeoutMs: 200 });
    const lockA = a.newLock('upload-t');
    await lockA.lock(undefined as any, () => undefined);
    await expect(
      b.newLock('upload-t').lock(undefined as any, () => undefined),
    ).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);

    const stop = new AbortController();
    const waiting = replica('replica-c')
      .newLock('upload-t')
      .lock(stop.signal, () => undefined);
    stop.abort();
    await expect(waiting).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    await lockA.unlock();
  });

  it("takes over an expired lock of a dead holder; the old holder's unlock leaves it alone", async () => {
    const { knex, replica } = await setup();
    // a replica that crashed while holding a lock: its row is simply never renewed
    await knex('files_upload_locks').insert({
      upload_id: 'upload-d',
      holder: 'crashed-replica/abc',
      expires_at: Date.now() - 1,
      release_requested: false,
    });
    const b = replica('replica-b');
    const lockB = b.newLock('upload-d');
    await lockB.lock(undefined as any, () => undefined);
    const row = await knex('files_upload_locks')
      .where('upload_id', 'upload-d')
      .first();
    expect(row.holder).toMatch(/^replica-b\//);
    await lockB.unlock();

    // a holder whose lock was taken over (it had stopped renewing in time)
    // learns it at its next heartbeat and is told to stop writing
    const slow = replica('replica-slow');
    const lost = jest.fn();
    const slowLock = slow.newLock('upload-e');
    await slowLock.lock(undefined as any, lost);
    await knex('files_upload_locks')
      .where('upload_id', 'upload-e')
      .update({ holder: 'replica-other/def' });
    await until(() => lost.mock.calls.length > 0);
    await slowLock.unlock();
    const after = await knex('files_upload_locks')
      .where('upload_id', 'upload-e')
      .first();
    expect(after.holder).toBe('replica-other/def');
  });

  it('never lets a replica whose clock runs far ahead take a live lock', async () => {
    const { knex, replica } = await setup();
    const a = replica('replica-a');
    const lockA = a.newLock('upload-s');
    await lockA.lock(undefined as any, () => undefined);
    const real = Date.now.bind(Date);
    const ahead = jest
      .spyOn(Date, 'now')
      .mockImplementation(() => real() + 3_600_000);
    try {
      const b = replica('replica-b', { acquireTimeoutMs: 200 });
      await expect(
        b.newLock('upload-s').lock(undefined as any, () => undefined),
      ).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    } finally {
      ahead.mockRestore();
    }
    const row = await knex('files_upload_locks')
      .where('upload_id', 'upload-s')
      .first();
    expect(row.holder).toMatch(/^replica-a\//);
    await lockA.unlock();
  });

  it('admits exactly one of many concurrent contenders at a time', async () => {
    const { replica } = await setup();
    const lockers = [1, 2, 3, 4, 5].map(i => replica(`replica-${i}`));
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      lockers.map(async l => {
        const lock = l.newLock('upload-c');
        await lock.lock(undefined as any, () => undefined);
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise(r => setImmediate(r));
        inside--;
        await lock.unlock();
      }),
    );
    expect(maxInside).toBe(1);
  });
});
