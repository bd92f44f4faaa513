import { S3 } from '@aws-sdk/client-s3';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import request from 'supertest';
import * as tus from 'tus-js-client';
import { hostEntity, startFilesBackend } from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
const bucket = 'opsdeck-files';
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let s3rver: S3rver;
let s3: S3;
let endpoint: string;
let sshd: SshdHosts;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'opsdeck-files-s3-'));
  chmodSync(work, 0o777);
  // A real S3 protocol server (signature v4 checked) on a free loopback port.
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(work, 's3rver'),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await s3rver.run();
  endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  sshd = await startSshdHosts(1);
});

afterAll(async () => {
  await sshd?.stop();
  await s3rver?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function start(
  extra: Record<string, unknown> = {},
  knex?: Awaited<ReturnType<typeof databases.init>>,
) {
  return startFilesBackend({
    knex: knex ?? (await databases.init('SQLITE_3')),
    storageDirectory: join(work, 'unused'),
    entities: [hostEntity('s3-host-1', sshd.hosts[0].port)],
    privateKey: sshd.privateKeyText,
    config: {
      storage: {
        type: 's3',
        s3: {
          endpoint,
          bucket,
          region: 'us-east-1',
          forcePathStyle: true,
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
          partSizeBytes: 5 * MiB,
        },
      },
      ...extra,
    },
  });
}

/** Keys in the bucket that belong to one upload. */
async function keysOf(id: string): Promise<string[]> {
  const page = await s3.listObjectsV2({ Bucket: bucket, Prefix: id });
  return (page.Contents ?? []).map(o => o.Key!).sort();
}

/** A PATCH whose connection is cut after `sendBytes` of `body` went out. */
function droppedPatch(
  port: number,
  location: string,
  offset: number,
  body: Buffer,
  sendBytes: number,
): Promise<void> {
  return new Promise(resolve => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: location,
      method: 'PATCH',
      headers: {
        Authorization: alice,
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': String(offset),
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(body.length),
      },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(body.subarray(0, sendBytes), () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300),
    );
  });
}

/** HEAD until the server has settled on an offset (the dropped PATCH may still be finishing). */
async function settledOffset(server: any, location: string): Promise<number> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const r = await request(server)
      .head(location)
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0');
    if (r.status === 200) {
      const offset = Number(r.headers['upload-offset']);
      if (offset === last) return offset;
      last = offset;
    }
    await new Promise(res => setTimeout(res, 200));
  }
  throw new Error('The upload offset never settled');
}

async function waitDone(server: any, id: string) {
  for (let i = 0; i < 600; i++) {
    const r = await request(server)
      .get(`/api/files/distributions/${id}`)
      .set('Authorization', alice)
      .expect(200);
    if (r.body.status === 'done') return r.body;
    await new Promise(res => setTimeout(res, 100));
  }
  throw new Error(`Distribution ${id} did not finish`);
}

describe('S3 storage (against s3rver)', () => {
  it('uploads in tus chunks with a dropped request, hashes, distributes and deletes the object', async () => {
    const { server } = await start();
    const port = server.port();
    const data = randomBytes(13 * MiB + 7);
    const created = await request(server)
      .post('/api/files/uploads')
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(data.length))
      .set(
        'Upload-Metadata',
        `filename ${Buffer.from('s3.bin').toString('base64')}`,
      )
      .expect(201);
    const location: string = created.headers.location;
    const id = location.split('/').pop()!;

    // chunk 1: 3 MiB, below S3's smallest part: kept as the upload's pending part
    await request(server)
      .patch(location)
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream')
      .send(data.subarray(0, 3 * MiB))
      .expect(204);
    expect(await settledOffset(server, location)).toBe(3 * MiB);

    // chunk 2: the connection drops after 2.5 of 4 MiB
    await droppedPatch(
      port,
      location,
      3 * MiB,
      data.subarray(3 * MiB, 7 * MiB),
      2.5 * MiB,
    );
    const resumedAt = await settledOffset(server, location);
    expect(resumedAt).toBeGreaterThanOrEqual(3 * MiB);
    expect(resumedAt).toBeLessThan(7 * MiB);

    // the tus client resumes from the server's offset, in 3 MiB PATCHes
    const patchOffsets: number[] = [];
    const fileId = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint: `http://127.0.0.1:${port}/api/files/uploads`,
        uploadUrl: `http://127.0.0.1:${port}${location}`,
        headers: { Authorization: alice },
        metadata: { filename: 's3.bin' },
        chunkSize: 3 * MiB,
        retryDelays: [],
        onBeforeRequest: req => {
          if (req.getMethod() === 'PATCH') {
            patchOffsets.push(Number(req.getHeader('Upload-Offset')));
          }
        },
        onError: reject,
        onSuccess: payload =>
          resolve(payload.lastResponse.getHeader('Opsdeck-File-Id')!),
      });
      upload.start();
    });
    expect(patchOffsets[0]).toBe(resumedAt);
    expect(patchOffsets.length).toBeGreaterThanOrEqual(2);

    const file = await request(server)
      .get(`/api/files/files/${fileId}`)
      .set('Authorization', alice)
      .expect(200);
    expect(file.body).toMatchObject({
      name: 's3.bin',
      size: data.length,
      sha256: sha256(data),
    });
    // the bytes are one object in the bucket, named after the upload
    const object = await s3.getObject({ Bucket: bucket, Key: id });
    expect(sha256(Buffer.from(await object.Body!.transformToByteArray()))).toBe(
      sha256(data),
    );

    // download streams the object
    const download = await request(server)
      .get(`/api/files/files/${fileId}/content`)
      .set('Authorization', alice)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(sha256(download.body as Buffer)).toBe(sha256(data));

    // distribution reads the object and the host checks SHA-256 itself
    const dir = join(work, 'dist');
    const dist = await request(server)
      .post('/api/files/distributions')
      .set('Authorization', alice)
      .send({ fileId, hosts: ['s3-host-1'], targetPath: `${dir}/` })
      .expect(201);
    const done = await waitDone(server, dist.body.id);
    expect(done.hosts).toEqual([
      expect.objectContaining({ state: 'verified', bytes: data.length }),
    ]);
    expect(sha256(readFileSync(join(dir, 's3.bin')))).toBe(sha256(data));

    // deleting the version removes the object and everything the upload left
    expect(await keysOf(id)).toContain(id);
    await request(server)
      .delete(`/api/files/files/${fileId}`)
      .set('Authorization', alice)
      .expect(204);
    expect(await keysOf(id)).toEqual([]);
  });

  it('continues an upload on a second backend (one database, one bucket), pending part included', async () => {
    const knex = await databases.init('SQLITE_3');
    const a = (await start({}, knex)).server;
    const b = (await start({}, knex)).server;
    const data = randomBytes(14 * MiB + 5);
    const created = await request(a)
      .post('/api/files/uploads')
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(data.length))
      .set(
        'Upload-Metadata',
        `filename ${Buffer.from('two.bin').toString('base64')}`,
      )
      .expect(201);
    const location: string = created.headers.location;
    const patch = (server: any, from: number, to: number) =>
      request(server)
        .patch(location)
        .set('Authorization', alice)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Offset', String(from))
        .set('Content-Type', 'application/offset+octet-stream')
        .send(data.subarray(from, to));
    // A: one 5 MiB part and a 1 MiB pending part; B prepends the pending part
    await patch(a, 0, 6 * MiB).expect(204);
    const onB = await patch(b, 6 * MiB, 12 * MiB).expect(204);
    expect(onB.headers['upload-offset']).toBe(String(12 * MiB));
    const last = await patch(a, 12 * MiB, data.length).expect(204);
    const file = await request(b)
      .get(`/api/files/files/${last.headers['opsdeck-file-id']}`)
      .set('Authorization', alice)
      .expect(200);
    expect(file.body).toMatchObject({
      size: data.length,
      sha256: sha256(data),
    });
    const object = await s3.getObject({
      Bucket: bucket,
      Key: location.split('/').pop()!,
    });
    expect(sha256(Buffer.from(await object.Body!.transformToByteArray()))).toBe(
      sha256(data),
    );
  });

  it('keeps zero-byte files and applies retention to objects', async () => {
    const { server } = await start({ keepVersions: 1 });
    const upload = (data: Buffer) =>
      new Promise<{ fileId: string; id: string }>((resolve, reject) => {
        const u = new tus.Upload(data, {
          endpoint: `http://127.0.0.1:${server.port()}/api/files/uploads`,
          headers: { Authorization: alice },
          metadata: { filename: 'empty.txt' },
          retryDelays: [],
          onError: reject,
          onSuccess: payload =>
            resolve({
              fileId: payload.lastResponse.getHeader('Opsdeck-File-Id')!,
              id: u.url!.split('/').pop()!,
            }),
        });
        u.start();
      });
    const empty = await upload(Buffer.alloc(0));
    const file = await request(server)
      .get(`/api/files/files/${empty.fileId}`)
      .set('Authorization', alice)
      .expect(200);
    expect(file.body).toMatchObject({
      size: 0,
      sha256: sha256(Buffer.alloc(0)),
    });
    expect(await keysOf(empty.id)).toContain(empty.id);

    // a second version of the name: retention (keepVersions 1) deletes the first object
    const second = await upload(Buffer.alloc(0));
    expect(await keysOf(second.id)).toContain(second.id);
    expect(await keysOf(empty.id)).toEqual([]);
    await request(server)
      .get(`/api/files/files/${empty.fileId}`)
      .set('Authorization', alice)
      .expect(404);
  });
});
