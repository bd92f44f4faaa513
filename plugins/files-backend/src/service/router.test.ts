import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  findFreePortRange,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import * as tus from 'tus-js-client';
import { hostEntity, startFilesBackend } from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');

let sshd: SshdHosts;
let closedPort: number;
let work: string;
let fullDisk: string;

beforeAll(async () => {
  sshd = await startSshdHosts(3);
  closedPort = await findFreePortRange(1);
  work = mkdtempSync(join(tmpdir(), 'opsdeck-files-test-'));
  chmodSync(work, 0o777);
  // A tiny filesystem that a test file does not fit on.
  fullDisk = join(work, 'full');
  mkdirSync(fullDisk);
  execFileSync('mount', [
    '-t',
    'tmpfs',
    '-o',
    'size=64k,mode=0777',
    'tmpfs',
    fullDisk,
  ]);
});

afterAll(async () => {
  await sshd?.stop();
  if (fullDisk) execFileSync('umount', [fullDisk]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function entities() {
  return [
    ...sshd.hosts.map((h, i) => hostEntity(`files-host-${i + 1}`, h.port)),
    hostEntity('files-down', closedPort, { system: 'down' }),
  ];
}

async function start(deny?: string[]) {
  const knex = await databases.init('SQLITE_3');
  const storage = mkdtempSync(join(work, 'store-'));
  const started = await startFilesBackend({
    knex,
    storageDirectory: storage,
    entities: entities(),
    privateKey: sshd.privateKeyText,
    deny,
  });
  return { ...started, storage };
}

/** Uploads `data` with the tus client, as alice. */
function tusUpload(
  port: number,
  data: Buffer,
  filename: string,
  options: Partial<tus.UploadOptions> = {},
): Promise<{ url: string; fileId: string | null }> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint: `http://127.0.0.1:${port}/api/files/uploads`,
      headers: { Authorization: alice },
      metadata: { filename },
      chunkSize: 256 * 1024,
      retryDelays: [],
      ...options,
      onError: reject,
      onSuccess: payload => {
        resolve({
          url: upload.url!,
          fileId: payload.lastResponse.getHeader('Opsdeck-File-Id') ?? null,
        });
      },
    });
    upload.start();
  });
}

async function waitDone(server: any, id: string) {
  for (let i = 0; i < 600; i++) {
    const r = await request(server)
      .get(`/api/files/distributions/${id}`)
      .set('Authorization', alice);
    expect(r.status).toBe(200);
    if (r.body.status === 'done') return r.body;
    await new Promise(res => setTimeout(res, 100));
  }
  throw new Error(`Distribution ${id} did not finish`);
}

describe('files router', () => {
  it('refuses requests without permission, tus included', async () => {
    const { server } = await start([
      'opsdeck.files.file.read',
      'opsdeck.files.file.upload',
      'opsdeck.files.distribute',
    ]);
    const anonymous = mockCredentials.none.header();
    await request(server)
      .get('/api/files/files')
      .set('Authorization', anonymous)
      .expect(401);
    const denied = await request(server)
      .get('/api/files/files')
      .set('Authorization', alice)
      .expect(403);
    expect(denied.body.error.name).toBe('NotAllowedError');
    await request(server)
      .post('/api/files/uploads')
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '3')
      .expect(403);
    await request(server)
      .post('/api/files/uploads')
      .set('Authorization', anonymous)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', '3')
      .expect(401);
  });

  it('uploads with the tus client, hashes the file and makes versions', async () => {
    const { server, audits, storage } = await start();
    const port = server.port();
    const data = randomBytes(1024 * 1024 + 17);
    const first = await tusUpload(port, data, 'app.tar.gz');
    expect(first.fileId).toBeTruthy();
    const second = await tusUpload(port, Buffer.from('v2'), 'app.tar.gz');

    const list = await request(server)
      .get('/api/files/files?name=app.tar.gz')
      .set('Authorization', alice)
      .expect(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: second.fileId,
        version: 2,
        size: 2,
        sha256: sha256(Buffer.from('v2')),
      }),
      expect.objectContaining({
        id: first.fileId,
        name: 'app.tar.gz',
        version: 1,
        size: data.length,
        sha256: sha256(data),
        uploader: 'user:default/alice',
      }),
    ]);
    const content = await request(server)
      .get(`/api/files/files/${first.fileId}/content`)
      .set('Authorization', alice)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(sha256(content.body)).toBe(sha256(data));
    expect(audits).toContainEqual(
      expect.objectContaining({
        eventId: 'file-upload',
        status: 'succeeded',
        meta: expect.objectContaining({ sha256: sha256(data), version: 1 }),
      }),
    );

    // deletion is audited and removes the bytes
    await request(server)
      .delete(`/api/files/files/${first.fileId}`)
      .set('Authorization', alice)
      .expect(204);
    expect(audits).toContainEqual(
      expect.objectContaining({
        eventId: 'file-delete',
        status: 'succeeded',
        meta: expect.objectContaining({ name: 'app.tar.gz', version: 1 }),
      }),
    );
    expect(readdirSync(storage).some(f => first.url.endsWith(f))).toBe(false);
    await request(server)
      .get(`/api/files/files/${first.fileId}`)
      .set('Authorization', alice)
      .expect(404);
  });

  it('resumes an interrupted upload from the offset the server has', async () => {
    const { server } = await start();
    const data = randomBytes(300_000);
    const created = await request(server)
      .post('/api/files/uploads')
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Length', String(data.length))
      .set(
        'Upload-Metadata',
        `filename ${Buffer.from('resumed.bin').toString('base64')}`,
      )
      .expect(201);
    const location: string = created.headers.location;
    expect(location).toMatch(/^\/api\/files\/uploads\/[0-9a-f]{32}$/);

    // the first part arrives, then the "network drops"
    await request(server)
      .patch(location)
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream')
      .send(data.subarray(0, 100_000))
      .expect(204);

    // someone else cannot continue or inspect it
    await request(server)
      .head(location)
      .set('Authorization', bob)
      .set('Tus-Resumable', '1.0.0')
      .expect(403);

    const head = await request(server)
      .head(location)
      .set('Authorization', alice)
      .set('Tus-Resumable', '1.0.0')
      .expect(200);
    expect(head.headers['upload-offset']).toBe('100000');

    // resuming with the tus client from the stored URL sends only the rest
    const sent: number[] = [];
    const done = await tusUpload(server.port(), data, 'resumed.bin', {
      uploadUrl: `http://127.0.0.1:${server.port()}${location}`,
      onProgress: bytes => sent.push(bytes),
    });
    expect(Math.min(...sent)).toBeGreaterThanOrEqual(100_000);
    const file = await request(server)
      .get(`/api/files/files/${done.fileId}`)
      .set('Authorization', alice)
      .expect(200);
    expect(file.body).toMatchObject({
      name: 'resumed.bin',
      size: data.length,
      sha256: sha256(data),
    });
  });

  it('refuses bad file names and takes zero-byte files', async () => {
    const { server } = await start();
    for (const name of ['../etc/passwd', 'a\u0000b', 'x\ny', '..']) {
      const r = await request(server)
        .post('/api/files/uploads')
        .set('Authorization', alice)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Length', '1')
        .set(
          'Upload-Metadata',
          `filename ${Buffer.from(name).toString('base64')}`,
        );
      expect(r.status).toBe(400);
    }
    const empty = await tusUpload(server.port(), Buffer.alloc(0), 'empty.conf');
    const file = await request(server)
      .get(`/api/files/files/${empty.fileId}`)
      .set('Authorization', alice)
      .expect(200);
    expect(file.body).toMatchObject({
      size: 0,
      sha256: sha256(Buffer.alloc(0)),
    });
  });

  it('distributes to several hosts, verifies each and renames atomically', async () => {
    const { server, audits } = await start();
    const data = randomBytes(2 * 1024 * 1024 + 5);
    const { fileId } = await tusUpload(server.port(), data, 'payload.bin');
    const dir = join(work, 'dist-ok');
    const created = await request(server)
      .post('/api/files/distributions')
      .set('Authorization', alice)
      .send({
        fileId,
        hosts: ['files-host-1', 'resource:default/files-host-2'],
        targetPath: `${dir}/`,
        fileMode: '0640',
        concurrency: 2,
      })
      .expect(201);
    expect(created.body.hosts).toHaveLength(2);
    const done = await waitDone(server, created.body.id);
    expect(done.hosts).toEqual([
      expect.objectContaining({
        host: 'resource:default/files-host-1',
        state: 'verified',
        bytes: data.length,
      }),
      expect.objectContaining({
        host: 'resource:default/files-host-2',
        state: 'verified',
        bytes: data.length,
      }),
    ]);
    // the hosts' random temporary names stay on the server
    expect(done.hosts.filter((h: any) => 'tempName' in h)).toEqual([]);
    const target = join(dir, 'payload.bin');
    expect(sha256(readFileSync(target))).toBe(sha256(data));
    expect(statSync(target).mode & 0o777).toBe(0o640);
    // no temporary file left behind
    expect(readdirSync(dir)).toEqual(['payload.bin']);
    expect(audits).toContainEqual(
      expect.objectContaining({
        eventId: 'file-distribute',
        status: 'succeeded',
      }),
    );

    // by selector: all hosts of system `lab`
    const bySystem = await request(server)
      .post('/api/files/distributions')
      .set('Authorization', alice)
      .send({
        fileId,
        system: 'lab',
        targetPath: `${dir}/copy.bin`,
        // the three hosts pass the stream down a chain
        strategy: 'relay',
      })
      .expect(201);
    const done2 = await waitDone(server, bySystem.body.id);
    expect(done2.hosts.map((h: any) => h.state)).toEqual([
      'verified',
      'verified',
      'verified',
    ]);
    const list = await request(server)
      .get('/api/files/distributions')
      .set('Authorization', alice)
      .expect(200);
    expect(sha256(readFileSync(join(dir, 'copy.bin')))).toBe(sha256(data));
    expect(list.body.items[0]).toMatchObject({
      id: bySystem.body.id,
      strategy: 'relay',
      counts: expect.objectContaining({ verified: 3 }),
    });
  });

  it('distributes a zero-byte file', async () => {
    const { server } = await start();
    const { fileId } = await tusUpload(server.port(), Buffer.alloc(0), 'empty');
    const dir = join(work, 'dist-empty');
    const created = await request(server)
      .post('/api/files/distributions')
      .set('Authorization', alice)
      .send({ fileId, hosts: ['files-host-3'], targetPath: `${dir}/empty` })
      .expect(201);
    const done = await waitDone(server, created.body.id);
    expect(done.hosts[0]).toMatchObject({ state: 'verified', bytes: 0 });
    expect(statSync(join(dir, 'empty')).size).toBe(0);
  });

  it('refuses bad target paths, unknown hosts and too much concurrency', async () => {
    const { server, audits } = await start();
    const { fileId } = await tusUpload(server.port(), Buffer.from('x'), 'x');
    const path = 'files-target-path-invalid';
    const cases: [object, RegExp, object][] = [
      [
        { targetPath: '/tmp/../etc/passwd' },
        /'\.\.' segments/,
        { code: path, targetPath: '/tmp/../etc/passwd' },
      ],
      [{ targetPath: 'tmp/x' }, /must be absolute/, { code: path }],
      [{ targetPath: '/tmp/x\u0000y' }, /NUL byte/, { code: path }],
      [
        { targetPath: '/tmp/x\u001by' },
        /control character \(0x1b\)/,
        { code: path },
      ],
      [{ targetPath: '/tmp//x' }, /empty segments/, { code: path }],
      [
        { targetPath: '/tmp/x', fileMode: '9' },
        /octal/,
        { code: 'files-file-mode-invalid', fileMode: '9' },
      ],
      [
        { targetPath: '/tmp/x', fileOwner: 'root;id' },
        /plain names/,
        { code: 'files-file-owner-invalid', fileOwner: 'root;id' },
      ],
      [
        { targetPath: '/tmp/x', hosts: ['nope'] },
        /Unknown hosts.*nope/,
        { code: 'files-hosts-unknown', hosts: 'nope' },
      ],
      [
        { targetPath: '/tmp/x', concurrency: 500 },
        /above the limit/,
        { code: 'files-concurrency-too-high', max: 100 },
      ],
      [
        { targetPath: '/tmp/x', hosts: undefined },
        /Select hosts/,
        { code: 'files-hosts-none-selected' },
      ],
    ];
    for (const [body, message, error] of cases) {
      const r = await request(server)
        .post('/api/files/distributions')
        .set('Authorization', alice)
        .send({ fileId, hosts: ['files-host-1'], ...body });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
      expect(r.body.error).toMatchObject(error);
    }
    expect(
      audits.filter(
        a => a.eventId === 'file-distribute' && a.status === 'failed',
      ),
    ).toHaveLength(cases.length);
  });

  it('refuses a target outside the allowed roots of the hosts’ environments, naming them', async () => {
    const knex = await databases.init('SQLITE_3');
    const { server, audits } = await startFilesBackend({
      knex,
      storageDirectory: mkdtempSync(join(work, 'store-')),
      entities: [
        hostEntity('files-prod-1', sshd.hosts[0].port, { environment: 'prod' }),
        hostEntity('files-dev-1', sshd.hosts[1].port, { environment: 'dev' }),
      ],
      privateKey: sshd.privateKeyText,
      config: { distribution: { allowedRoots: { prod: ['/srv/app'] } } },
    });
    const { fileId } = await tusUpload(server.port(), Buffer.from('x'), 'x');
    const post = (targetPath: string) =>
      request(server)
        .post('/api/files/distributions')
        .set('Authorization', alice)
        .send({ fileId, hosts: ['files-prod-1', 'files-dev-1'], targetPath });
    // under /tmp: allowed for dev (the default roots), not for prod
    const prod = await post(`${work}/roots/x.conf`);
    expect(prod.status).toBe(400);
    expect(prod.body.error).toMatchObject({
      code: 'files-target-outside-roots',
      targetPath: `${work}/roots/x.conf`,
      refused: 'prod (/srv/app): resource:default/files-prod-1',
    });
    expect(prod.body.error.message).toBe(
      `Target path ${work}/roots/x.conf is outside the directories allowed for these hosts' environments — prod (/srv/app): resource:default/files-prod-1. An admin can allow more in opsdeck.files.distribution.allowedRoots.`,
    );
    // system configuration is in no default root
    const etc = await post('/etc/cron.d/x');
    expect(etc.status).toBe(400);
    expect(etc.body.error.message).toContain(
      '— dev (/srv, /opt, /data, /var/www, /var/tmp, /tmp): resource:default/files-dev-1; prod (/srv/app): resource:default/files-prod-1.',
    );
    expect(existsSync(`${work}/roots`)).toBe(false);
    expect(
      audits.filter(
        a => a.eventId === 'file-distribute' && a.status === 'failed',
      ),
    ).toHaveLength(2);
    // inside every host's roots: accepted
    await post('/srv/app/x.conf').expect(201);
  });

  it('fails only the unreachable host and only the host with a full disk, with reasons', async () => {
    const { server } = await start();
    const data = randomBytes(200 * 1024);
    const { fileId } = await tusUpload(server.port(), data, 'big.bin');

    const down = await request(server)
      .post('/api/files/distributions')
      .set('Authorization', alice)
      .send({
        fileId,
        hosts: ['files-host-1', 'files-down'],
        targetPath: `${work}/dist-down/big.bin`,
      })
      .expect(201);
    const doneDown = await waitDone(server, down.body.id);
    const [ok, failed] = [
      doneDown.hosts.find((h: any) => h.host.endsWith('files-host-1')),
      doneDown.hosts.find((h: any) => h.host.endsWith('files-down')),
    ];
    expect(ok.state).toBe('verified');
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed.error).toMatch(/127\.0\.0\.1/);

    // The full disk already holds an older version: it must stay intact.
    writeFileSync(join(fullDisk, 'big.bin'), 'old version');
    const full = await request(server)
      .post('/api/files/distributions')
      .set('Authorization', alice)
      .send({
        fileId,
        hosts: ['files-host-2'],
        targetPath: `${fullDisk}/big.bin`,
      })
      .expect(201);
    const doneFull = await waitDone(server, full.body.id);
    expect(doneFull.hosts[0].state).toBe('failed');
    expect(doneFull.hosts[0].error).toMatch(/No space left/);
    // a permanent failure is not retried
    expect(doneFull.hosts[0].attempts).toBe(1);
    expect(readFileSync(join(fullDisk, 'big.bin'), 'utf8')).toBe('old version');
    expect(readdirSync(fullDisk)).toEqual(['big.bin']);

    // room made: a retry of the failed host succeeds
    execFileSync('mount', ['-o', 'remount,size=1m', fullDisk]);
    await request(server)
      .post(`/api/files/distributions/${full.body.id}/retry`)
      .set('Authorization', alice)
      .expect(200, { requeued: 1 });
    const retried = await waitDone(server, full.body.id);
    expect(retried.hosts[0]).toMatchObject({
      state: 'verified',
      attempts: 2,
    });
    expect(retried.hosts[0].error).toBeUndefined();
    expect(sha256(readFileSync(join(fullDisk, 'big.bin')))).toBe(sha256(data));
    expect(existsSync(join(work, 'dist-down', 'big.bin'))).toBe(true);
  });
});
