import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startFilesBackend,
  type TestServer,
} from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'opsdeck-files-tus-'));
  chmodSync(work, 0o777);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function start() {
  const knex = await databases.init('SQLITE_3');
  const storage = mkdtempSync(join(work, 'store-'));
  const { server } = await startFilesBackend({
    knex,
    storageDirectory: storage,
    entities: [],
    privateKey: '',
  });
  return { server, storage };
}

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/**
 * A request with the path sent exactly as given (no normalisation of `..`,
 * `//` or `%2F`, which HTTP client libraries may do).
 */
function raw(
  server: TestServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: server.port(),
      method,
      path,
      headers: {
        'Tus-Resumable': '1.0.0',
        ...(body ? { 'Content-Length': String(body.length) } : {}),
        ...headers,
      },
    });
    req.on('response', res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function create(server: TestServer, who: string, size: number) {
  const r = await raw(server, 'POST', '/api/files/uploads', {
    Authorization: who,
    'Upload-Length': String(size),
    'Upload-Metadata': `filename ${Buffer.from('f.bin').toString('base64')}`,
  });
  expect(r.status).toBe(201);
  return String(r.headers.location).split('/').pop()!;
}

async function offsetOf(server: TestServer, who: string, id: string) {
  const r = await raw(server, 'HEAD', `/api/files/uploads/${id}`, {
    Authorization: who,
  });
  expect(r.status).toBe(200);
  return Number(r.headers['upload-offset']);
}

/** `offset N`, or the status when the upload cannot be read. */
async function stateOf(server: TestServer, who: string, id: string) {
  const r = await raw(server, 'HEAD', `/api/files/uploads/${id}`, {
    Authorization: who,
  });
  return r.status === 200
    ? `offset ${r.headers['upload-offset']}`
    : `HEAD ${r.status}`;
}

const PATCH_HEADERS = {
  'Upload-Offset': '0',
  'Content-Type': 'application/offset+octet-stream',
};

describe('tus requests act only on the upload whose owner was checked', () => {
  it('refuses paths, queries and encodings that point tus at another user’s upload', async () => {
    const { server } = await start();
    const poison = Buffer.alloc(100, 'X');

    // Each of these either names the victim's upload where tus reads it
    // (the last segment of the raw URL) or is a non-canonical spelling.
    const paths = (victim: string, own: string) => [
      `/api/files/uploads/?x=/${victim}`,
      `/api/files/uploads?x=/${victim}`,
      `/api/files/uploads/${own}?x=/${victim}`,
      `/api/files/uploads/${own}/?/${victim}`,
      `/api/files/uploads/${own}#/${victim}`,
      `/api/files/uploads/%2F${victim}`,
      `/api/files/uploads/${own}%2F${victim}`,
      `/api/files/uploads//${victim}`,
      `/api/files/uploads/${own}/../${victim}`,
      `/api/files/uploads/${victim}/`,
      `/api/files/uploads/${victim}//`,
      `/api/files/uploads/./${victim}`,
    ];
    const accepted: string[] = [];
    for (let i = 0; i < paths('', '').length; i++) {
      // a fresh pair for every spelling, so one success cannot hide another
      const victim = await create(server, alice, 1000);
      const own = await create(server, bob, 1000);
      const path = paths(victim, own)[i];
      const r = await raw(
        server,
        'PATCH',
        path,
        { Authorization: bob, ...PATCH_HEADERS },
        poison,
      );
      if (r.status < 400) accepted.push(`PATCH ${path} -> ${r.status}`);
      const head = await raw(server, 'HEAD', path, { Authorization: bob });
      // no offset or metadata of anyone's upload in a refusal
      if (head.status < 400 || head.headers['upload-metadata']) {
        accepted.push(`HEAD ${path} -> ${head.status}`);
      }
      const del = await raw(server, 'DELETE', path, { Authorization: bob });
      if (del.status < 400) accepted.push(`DELETE ${path} -> ${del.status}`);
      // nothing was written into, or removed from, either upload
      const after = [
        await stateOf(server, alice, victim),
        await stateOf(server, bob, own),
      ];
      if (after.join() !== 'offset 0,offset 0') {
        accepted.push(`${path}: victim ${after[0]}, own ${after[1]}`);
      }
    }
    expect(accepted).toEqual([]);

    // the canonical URL still works for the owner, and only for the owner
    const victim = await create(server, alice, 1000);
    const own = await create(server, bob, 1000);
    const theirs = await raw(
      server,
      'PATCH',
      `/api/files/uploads/${victim}`,
      { Authorization: bob, ...PATCH_HEADERS },
      poison,
    );
    expect(theirs.status).toBe(403);
    const ok = await raw(
      server,
      'PATCH',
      `/api/files/uploads/${own}`,
      { Authorization: bob, ...PATCH_HEADERS },
      poison,
    );
    expect(ok.status).toBe(204);
    expect(await offsetOf(server, bob, own)).toBe(100);
  });

  it('refuses X-HTTP-Method-Override whatever it asks for', async () => {
    const { server } = await start();
    const data = randomBytes(64);
    const victim = await create(server, alice, data.length);
    const put = await raw(
      server,
      'PATCH',
      `/api/files/uploads/${victim}`,
      { Authorization: alice, ...PATCH_HEADERS },
      data,
    );
    expect(put.status).toBe(204);
    const own = await create(server, bob, 10);

    const attempts: [string, string, Record<string, string>][] = [
      // a download of someone else's bytes, past the read permission
      ['POST', `/api/files/uploads/?x=/${victim}`, {}],
      ['POST', `/api/files/uploads/${own}`, {}],
    ];
    for (const [method, path] of attempts) {
      for (const override of ['GET', 'get', 'PATCH', 'DELETE', 'HEAD']) {
        const r = await raw(server, method, path, {
          Authorization: bob,
          'X-HTTP-Method-Override': override,
          ...(override.toUpperCase() === 'PATCH' ? PATCH_HEADERS : {}),
        });
        expect({ override, path, status: r.status }).toEqual({
          override,
          path,
          status: 400,
        });
        expect(r.body.includes(data)).toBe(false);
      }
    }
    // an override on the owner's own canonical URL is refused too
    const self = await raw(server, 'HEAD', `/api/files/uploads/${victim}`, {
      Authorization: alice,
      'X-HTTP-Method-Override': 'DELETE',
    });
    expect(self.status).toBe(400);
    expect(await offsetOf(server, alice, victim)).toBe(data.length);
  });
});
