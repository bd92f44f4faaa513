import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import * as tus from 'tus-js-client';
import {
  startFilesBackend,
  type TestServer,
} from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'opsdeck-files-finalise-'));
  chmodSync(work, 0o777);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const tusReq = (r: request.Test) =>
  r.set('Authorization', alice).set('Tus-Resumable', '1.0.0');

/**
 * An upload whose every byte is stored but that has no library version:
 * what a backend killed between the last byte and the version leaves
 * (the crash points `files.upload.hash` and `files.upload.version`).
 */
async function completeButUnfinished(
  server: TestServer,
  storage: string,
  data: Buffer,
  name: string,
) {
  const res = await tusReq(request(server).post('/api/files/uploads'))
    .set('Upload-Length', String(data.length))
    .set('Upload-Metadata', `filename ${Buffer.from(name).toString('base64')}`)
    .expect(201);
  const location: string = res.headers.location;
  // the file store's data file is the upload's bytes; its size is the offset
  writeFileSync(join(storage, location.split('/').pop()!), data);
  return location;
}

/** Resumes `location` with the real tus client; resolves with the file id it reports. */
function resumeWithTusClient(
  server: TestServer,
  location: string,
  data: Buffer,
) {
  return new Promise<string | null>((resolve, reject) => {
    const upload = new tus.Upload(data, {
      uploadUrl: `http://127.0.0.1:${server.port()}${location}`,
      headers: { Authorization: alice },
      retryDelays: [],
      onError: reject,
      onSuccess: ({ lastResponse }) =>
        resolve(lastResponse.getHeader('Opsdeck-File-Id') ?? null),
    });
    upload.start();
  });
}

describe.each(databases.eachSupportedId())(
  'upload finalisation is resumable (%s)',
  databaseId => {
    async function replicas(n: number) {
      const knex = await databases.init(databaseId);
      const storage = mkdtempSync(join(work, 'store-'));
      const started = [];
      for (let i = 0; i < n; i++) {
        started.push(
          await startFilesBackend({
            knex,
            storageDirectory: storage,
            entities: [],
            privateKey: '',
          }),
        );
      }
      return { knex, storage, started };
    }

    it('a resumed tus client finishes a complete upload that has no version, and gets its file id', async () => {
      const {
        storage,
        started: [{ server, audits }],
      } = await replicas(1);
      const data = randomBytes(300_000);
      const location = await completeButUnfinished(
        server,
        storage,
        data,
        'crashed.bin',
      );

      // the client's HEAD says "all there": it reports success from that
      // answer, which must name the version
      const fileId = await resumeWithTusClient(server, location, data);
      expect(fileId).toEqual(expect.any(String));
      const file = await request(server)
        .get(`/api/files/files/${fileId}`)
        .set('Authorization', alice)
        .expect(200);
      expect(file.body).toMatchObject({
        name: 'crashed.bin',
        size: data.length,
        sha256: sha256(data),
        version: 1,
        uploader: 'user:default/alice',
      });
      expect(
        audits.filter(
          a => a.eventId === 'file-upload' && a.status === 'succeeded',
        ),
      ).toEqual([
        expect.objectContaining({
          meta: expect.objectContaining({ fileId, sha256: sha256(data) }),
        }),
      ]);

      // asked again (a crash after the version, before the answer): same id
      expect(await resumeWithTusClient(server, location, data)).toBe(fileId);
      const head = await tusReq(request(server).head(location)).expect(200);
      expect(head.headers['opsdeck-file-id']).toBe(fileId);
    });

    it('two replicas finishing the same upload at once make exactly one version', async () => {
      const { storage, started } = await replicas(2);
      const [a, b] = started.map(s => s.server);
      const data = randomBytes(3 * 1024 * 1024 + 1);
      const location = await completeButUnfinished(
        a,
        storage,
        data,
        'race.bin',
      );

      const head = (s: TestServer) => tusReq(request(s).head(location));
      const emptyPatch = (s: TestServer) =>
        tusReq(request(s).patch(location))
          .set('Upload-Offset', String(data.length))
          .set('Content-Type', 'application/offset+octet-stream')
          .send(Buffer.alloc(0));
      const answers = await Promise.all([
        head(a),
        head(b),
        emptyPatch(a),
        emptyPatch(b),
        head(a),
        head(b),
      ]);
      expect(answers.map(r => r.status)).toEqual([
        200, 200, 204, 204, 200, 200,
      ]);
      const ids = new Set(answers.map(r => r.headers['opsdeck-file-id']));
      expect(ids.size).toBe(1);
      const [fileId] = ids;
      expect(fileId).toEqual(expect.any(String));

      const list = await request(a)
        .get('/api/files/files?name=race.bin')
        .set('Authorization', alice)
        .expect(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          id: fileId,
          version: 1,
          sha256: sha256(data),
        }),
      ]);
      // one audited upload across both replicas
      const uploads = started.flatMap(s =>
        s.audits.filter(
          x => x.eventId === 'file-upload' && x.status === 'succeeded',
        ),
      );
      expect(uploads).toHaveLength(1);
    });
  },
);
