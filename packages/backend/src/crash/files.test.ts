/*
 * Crash-point tests of files: a real opsdeck backend process (files) killed
 * at named points and started again on the same data, on SQLite and on
 * PostgreSQL, distributing to real sshd hosts. See docs/architecture.md.
 *
 * One chain per database (each restart is the next point's armed start):
 *   1. the last byte of an upload arrives and the backend dies before it
 *      hashes it (`files.upload.hash`); after the restart the client's HEAD
 *      finishes it, dying once more after the hash (`files.upload.version`)
 *      and once after the version row (`files.upload.stored`); the next HEAD
 *      answers with the one version's id;
 *   2. a distribution of that version to two hosts dies after a host's copy
 *      is written (`files.distribution.upload`), then, resumed at each
 *      start, after its owner/mode (`files.distribution.chmod`), after its
 *      checksum (`files.distribution.verify`) and after its rename
 *      (`files.distribution.rename`); the last start finishes it: both hosts
 *      verified, one right file at the target, no temporary file.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { CrashBackend, crashDatabases, waitFor } from './CrashBackend';
import { hostEntity } from './fixtures';

jest.setTimeout(900_000);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let sshd: SshdHosts;
let targets: string;

beforeAll(async () => {
  sshd = await startSshdHosts(2);
  targets = mkdtempSync(join(tmpdir(), 'opsdeck-crash-files-'));
  // the hosts write as the sshd test user
  chmodSync(targets, 0o777);
});

afterAll(async () => {
  await sshd?.stop();
  if (targets) rmSync(targets, { recursive: true, force: true });
});

/** A tus request as `user` (no body parsing: tus answers with headers). */
async function tus(
  backend: CrashBackend,
  user: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<Response> {
  return fetch(`${backend.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${await backend.tokenFor(user)}`,
      'Tus-Resumable': '1.0.0',
      ...headers,
    },
    body,
  });
}

/**
 * The client's HEAD after a restart, repeated as tus-js-client does while
 * the upload's lock, held by the killed process, has not expired yet (500);
 * resolves with the answer, or undefined when the crash cut it off.
 */
async function head(backend: CrashBackend, location: string) {
  for (let i = 0; i < 10; i++) {
    const res = await tus(backend, 'alice', 'HEAD', location).catch(
      () => undefined,
    );
    if (res?.status !== 500) return res;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`HEAD ${location} kept failing`);
}

describe.each(crashDatabases())('files crash points on %s', database => {
  let backend: CrashBackend;
  const data = randomBytes(5 * 1024 * 1024 + 3);
  const name = `crash-${database}.bin`;
  let location = '';
  let fileId = '';
  let target = '';

  beforeAll(async () => {
    backend = await CrashBackend.create({
      database,
      plugins: ['files'],
      entities: sshd.hosts.map((h, i) =>
        hostEntity(`crash-f${i + 1}`, h.port, { loginUser: sshd.user }),
      ),
    });
  });

  afterAll(async () => {
    await backend?.dispose();
  });

  it('an upload whose backend died between the last byte and its version is finished exactly once by later HEADs', async () => {
    await backend.start({ crashPoint: 'files.upload.hash' });
    const created = await tus(backend, 'alice', 'POST', '/api/files/uploads', {
      'Upload-Length': String(data.length),
      'Upload-Metadata': `filename ${Buffer.from(name).toString('base64')}`,
    });
    expect(created.status).toBe(201);
    location = created.headers.get('location')!;
    // every byte in one PATCH; the backend dies before answering it
    await tus(
      backend,
      'alice',
      'PATCH',
      location,
      {
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      data,
    ).catch(() => undefined);
    await backend.waitForCrash('files.upload.hash');

    // the client comes back with a HEAD: finishing it dies after the hash …
    await backend.start({ crashPoint: 'files.upload.version' });
    expect(await head(backend, location)).toBeUndefined();
    await backend.waitForCrash('files.upload.version');
    // … and, next time, after the version row, before the answer
    await backend.start({ crashPoint: 'files.upload.stored' });
    expect(await head(backend, location)).toBeUndefined();
    await backend.waitForCrash('files.upload.stored');

    target = join(targets, database, name);
    // the next point is the distribution's; uploads pass no armed point now
    await backend.start({ crashPoint: 'files.distribution.upload' });
    const answer = (await head(backend, location))!;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('upload-offset')).toBe(String(data.length));
    fileId = answer.headers.get('opsdeck-file-id')!;
    expect(fileId).toEqual(expect.any(String));
    const versions = await backend.api(
      'alice',
      'GET',
      `files/files?name=${encodeURIComponent(name)}`,
    );
    expect(versions.body.items).toEqual([
      expect.objectContaining({
        id: fileId,
        version: 1,
        size: data.length,
        sha256: sha256(data),
      }),
    ]);
  });

  it('a distribution cut at each per-host phase resumes at start-up to one verified copy per host', async () => {
    const credential = await backend.api('alice', 'POST', 'vault/credentials', {
      name: 'crash-ssh',
      type: 'ssh-key',
      username: sshd.user,
      owner: 'ops',
      allowedUses: ['ssh-login'],
      secret: sshd.privateKeyText,
    });
    expect(credential.status).toBe(201);
    const started = await backend.api('alice', 'POST', 'files/distributions', {
      fileId,
      hosts: ['crash-f1', 'crash-f2'],
      targetPath: target,
      fileMode: '0640',
      concurrency: 1,
    });
    expect(started.status).toBe(201);
    const id = started.body.id;
    await backend.waitForCrash('files.distribution.upload');

    // each start resumes the distribution and dies at the next phase
    for (const phase of ['chmod', 'verify', 'rename']) {
      await backend.start({ crashPoint: `files.distribution.${phase}` });
      await backend.waitForCrash(`files.distribution.${phase}`);
    }

    await backend.start();
    const done = await waitFor('the distribution to end', async () => {
      const res = await backend.api(
        'alice',
        'GET',
        `files/distributions/${id}`,
      );
      return res.body?.status === 'done' ? res.body : undefined;
    });
    expect(done.hosts.map((h: any) => h.state)).toEqual([
      'verified',
      'verified',
    ]);
    // the hosts share this machine's disk: one right file, nothing else
    expect(sha256(readFileSync(target))).toBe(sha256(data));
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readdirSync(join(targets, database))).toEqual([name]);
  });
});
