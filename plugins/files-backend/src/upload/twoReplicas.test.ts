import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  startFilesBackend,
  type TestServer,
} from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const alice = mockCredentials.user.header('user:default/alice');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'opsdeck-files-replicas-'));
  chmodSync(work, 0o777);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Two complete files backends on one PostgreSQL database and one storage directory. */
async function twoReplicas(directory: string) {
  const knex = await databases.init('POSTGRES_15');
  const start = () =>
    startFilesBackend({
      knex,
      storageDirectory: directory,
      entities: [],
      privateKey: '',
    });
  const a = await start();
  const b = await start();
  return { knex, a: a.server, b: b.server };
}

const tus = (r: request.Test) =>
  r.set('Authorization', alice).set('Tus-Resumable', '1.0.0');

async function create(server: TestServer, size: number, name: string) {
  const res = await tus(request(server).post('/api/files/uploads'))
    .set('Upload-Length', String(size))
    .set('Upload-Metadata', `filename ${Buffer.from(name).toString('base64')}`)
    .expect(201);
  const location: string = res.headers.location;
  return { location, id: location.split('/').pop()! };
}

function patch(
  server: TestServer,
  location: string,
  offset: number,
  body: Buffer,
) {
  return tus(request(server).patch(location))
    .set('Upload-Offset', String(offset))
    .set('Content-Type', 'application/offset+octet-stream')
    .send(body);
}

async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error('Condition never became true');
}

describe('uploads across two replicas (PostgreSQL locks, shared directory)', () => {
  it('continues on replica B an upload started on replica A, at the right offset', async () => {
    const directory = join(work, 'handoff');
    const { a, b } = await twoReplicas(directory);
    const data = randomBytes(6 * MiB + 3);
    const { location } = await create(a, data.length, 'handoff.bin');

    await patch(a, location, 0, data.subarray(0, 2 * MiB)).expect(204);
    const onB = await patch(
      b,
      location,
      2 * MiB,
      data.subarray(2 * MiB, 4 * MiB),
    );
    expect(onB.status).toBe(204);
    expect(onB.headers['upload-offset']).toBe(String(4 * MiB));
    // a stale offset is refused on either replica
    await patch(a, location, 2 * MiB, data.subarray(2 * MiB, 3 * MiB)).expect(
      409,
    );
    const head = await tus(request(a).head(location)).expect(200);
    expect(head.headers['upload-offset']).toBe(String(4 * MiB));

    const last = await patch(
      a,
      location,
      4 * MiB,
      data.subarray(4 * MiB),
    ).expect(204);
    const fileId = last.headers['opsdeck-file-id'];
    const file = await request(b)
      .get(`/api/files/files/${fileId}`)
      .set('Authorization', alice)
      .expect(200);
    expect(file.body).toMatchObject({
      name: 'handoff.bin',
      size: data.length,
      sha256: sha256(data),
    });
  });

  it('makes a PATCH on B wait for the PATCH holding the upload on A, then append once', async () => {
    const directory = join(work, 'concurrent');
    const { knex, a, b } = await twoReplicas(directory);
    const data = randomBytes(4 * MiB);
    const { location, id } = await create(a, data.length, 'race.bin');

    // PATCH on A: 1 MiB of its 4 MiB sent, then the client stalls (holding the lock)
    let aStatus: number | string = 'pending';
    const stalled = http.request({
      host: '127.0.0.1',
      port: a.port(),
      path: location,
      method: 'PATCH',
      headers: {
        Authorization: alice,
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(data.length),
      },
    });
    const aDone = new Promise<void>(resolve => {
      stalled.on('response', res => {
        aStatus = res.statusCode!;
        res.resume();
        resolve();
      });
      stalled.on('error', () => {
        aStatus = 'connection closed';
        resolve();
      });
    });
    stalled.write(data.subarray(0, MiB));
    const stored = join(directory, id);
    await until(
      () => statSync(stored, { throwIfNoEntry: false })?.size === MiB,
    );
    const lock = await knex('files_upload_locks')
      .where('upload_id', id)
      .first();
    expect(lock).toBeDefined();

    // B's client takes A's request for dead and sends the rest from the
    // offset on disk: B must wait for A's lock (asking A to release it) and
    // only then append; without a shared lock both would be writing at once
    const onB = await patch(b, location, MiB, data.subarray(MiB));
    const aEndedFirst = aStatus !== 'pending';
    expect(onB.status).toBe(204);
    expect(aEndedFirst).toBe(true);
    stalled.destroy();
    await aDone;

    // A's stale PATCH from offset 0 is refused on either replica
    await patch(a, location, 0, data.subarray(0, MiB)).expect(409);
    expect(readFileSync(stored).equals(data)).toBe(true);
    const file = await request(a)
      .get(`/api/files/files/${onB.headers['opsdeck-file-id']}`)
      .set('Authorization', alice)
      .expect(200);
    expect(file.body).toMatchObject({
      size: data.length,
      sha256: sha256(data),
    });
    expect(await knex('files_upload_locks').select()).toEqual([]);
  });
});
