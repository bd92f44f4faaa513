import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { filesFileUploadPermission } from '@opsdeck/plugin-opsdeck-common';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startFilesBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');
const name = (n: string) => Buffer.from(n).toString('base64');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'opsdeck-files-refusals-'));
  chmodSync(work, 0o777);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function start(deny: string[] = []) {
  const directory = mkdtempSync(join(work, 'store-'));
  const { server } = await startFilesBackend({
    knex: await databases.init('SQLITE_3'),
    storageDirectory: directory,
    entities: [],
    privateKey: '',
    deny,
    config: { storage: { directory, maxUploadBytes: 1000 } },
  });
  return server;
}

/** The error body of a tus answer (opsdeck's JSON error shape). */
function errorOf(res: request.Response) {
  return JSON.parse(res.text).error;
}

describe('upload refusals carry a stable code (the form says them in the reader’s language)', () => {
  it('names too large, bad names, foreign owner groups, others’ and gone uploads', async () => {
    const server = await start();
    const create = (who: string, length: number, metadata: string) =>
      request(server)
        .post('/api/files/uploads')
        .set('Authorization', who)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Length', String(length))
        .set('Upload-Metadata', metadata);

    const big = await create(alice, 2000, `filename ${name('big.bin')}`);
    expect(big.status).toBe(413);
    expect(errorOf(big)).toMatchObject({
      code: 'files-upload-too-large',
      maxBytes: 1000,
    });

    const dots = await create(alice, 10, `filename ${name('..')}`);
    expect(dots.status).toBe(400);
    expect(errorOf(dots)).toMatchObject({ code: 'files-name-invalid' });

    const foreign = await create(
      alice,
      10,
      `filename ${name('a.bin')},ownerGroup ${name('group:default/dba')}`,
    );
    expect(foreign.status).toBe(403);
    expect(errorOf(foreign)).toMatchObject({
      code: 'files-owner-group-not-member',
      group: 'group:default/dba',
    });

    const notGroup = await create(
      alice,
      10,
      `filename ${name('a.bin')},ownerGroup ${name('user:default/bob')}`,
    );
    expect(notGroup.status).toBe(400);
    expect(errorOf(notGroup)).toMatchObject({
      code: 'files-owner-group-invalid',
    });

    const mine = await create(alice, 10, `filename ${name('a.bin')}`);
    expect(mine.status).toBe(201);
    const patch = (who: string, location: string) =>
      request(server)
        .patch(location)
        .set('Authorization', who)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Offset', '0')
        .set('Content-Type', 'application/offset+octet-stream')
        .send(Buffer.alloc(10));
    const theirs = await patch(bob, mine.headers.location);
    expect(theirs.status).toBe(403);
    expect(theirs.body.error).toMatchObject({ code: 'files-upload-not-yours' });

    const gone = await patch(alice, `/api/files/uploads/${'0'.repeat(32)}`);
    expect(gone.status).toBe(404);
    expect(errorOf(gone)).toMatchObject({ code: 'files-upload-gone' });
  });

  it('names the missing permission', async () => {
    const server = await start([filesFileUploadPermission.name]);
    const res = await request(server)
      .post('/api/files/uploads')
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '10')
      .set('Upload-Metadata', `filename ${name('a.bin')}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'not-allowed',
      permission: filesFileUploadPermission.name,
    });
  });
});
