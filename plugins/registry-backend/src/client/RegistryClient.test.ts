import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nextFromLink } from './grammar';
import { parseBearerChallenge, RegistryClient } from './RegistryClient';

/** A hostile registry: answers what the test says and records what it was sent. */
async function fakeRegistry(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
) {
  const seen: Array<{ url: string; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}

describe('nextFromLink', () => {
  it('takes only the `last` parameter, never the URL a registry names', () => {
    expect(nextFromLink('</v2/_catalog?last=b%2Fc&n=2>; rel="next"')).toBe(
      'b/c',
    );
    expect(
      nextFromLink('<https://evil.example/steal?last=x&n=1>; rel="next"'),
    ).toBe('x');
    expect(nextFromLink('</v2/_catalog?n=2>; rel="next"')).toBeUndefined();
    expect(nextFromLink('</v2/_catalog?last=x>; rel="prev"')).toBeUndefined();
    expect(nextFromLink(null)).toBeUndefined();
  });
});

describe('parseBearerChallenge', () => {
  it('reads realm, service and scope; ignores Basic', () => {
    expect(
      parseBearerChallenge(
        'Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull"',
      ),
    ).toEqual({
      realm: 'https://auth.example/token',
      service: 'reg',
      scope: 'repository:a:pull',
    });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseBearerChallenge('Bearer service="x"')).toBeUndefined();
  });
});

describe('RegistryClient against a hostile registry', () => {
  const login = { username: 'puller', password: 'pw-9f8e7d' };
  const basic = `Basic ${Buffer.from('puller:pw-9f8e7d').toString('base64')}`;

  it('never sends the login to a plain-http token realm on another origin', async () => {
    const thief = await fakeRegistry((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"token":"t"}');
    });
    const registry = await fakeRegistry((_req, res) => {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${thief.url}/token",service="x"`,
      });
      res.end();
    });
    try {
      await expect(
        new RegistryClient(registry.url, login).catalog(10),
      ).rejects.toThrow(/neither https nor the registry itself/);
      expect(thief.seen).toEqual([]);
      expect(registry.seen.map(s => s.authorization)).toEqual([basic]);
    } finally {
      await thief.stop();
      await registry.stop();
    }
  });

  it('refuses oversized answers and keeps the login out of errors', async () => {
    const registry = await fakeRegistry((req, res) => {
      if (req.url?.startsWith('/v2/big/manifests')) {
        res.writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
        });
        res.end(Buffer.alloc(5 * 1024 * 1024, 0x20));
        return;
      }
      res.writeHead(403);
      res.end(`denied ${req.headers.authorization}`);
    });
    try {
      const client = new RegistryClient(registry.url, login);
      await expect(client.manifest('big', 'v1')).rejects.toThrow(/over/);
      const error = await client.catalog(10).catch(e => e as Error);
      expect(String(error)).toMatch(/refused opsdeck's login \(403/);
      expect(String(error)).not.toContain('pw-9f8e7d');
      expect(String(error)).not.toContain(basic.slice(6));
    } finally {
      await registry.stop();
    }
  });

  it('follows no redirect except for blobs', async () => {
    const elsewhere = await fakeRegistry((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"repositories":["internal"]}');
    });
    const registry = await fakeRegistry((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/internal` });
      res.end();
    });
    try {
      const client = new RegistryClient(registry.url, login);
      await expect(client.catalog(10)).rejects.toThrow(/answered 302/);
      await expect(client.manifest('a', 'v1')).rejects.toThrow(/answered 302/);
      expect(elsewhere.seen).toEqual([]);
      // a config blob may live in object storage: followed, without the login
      await client.config('a', `sha256:${'e'.repeat(64)}`);
      expect(elsewhere.seen).toEqual([
        { url: '/internal', authorization: undefined },
      ]);
    } finally {
      await elsewhere.stop();
      await registry.stop();
    }
  });

  it('pages tags itself when a registry ignores n', async () => {
    const registry = await fakeRegistry((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'a', tags: ['c', 'a', 'e', 'b', 'd'] }));
    });
    try {
      const client = new RegistryClient(registry.url);
      expect(await client.tags('a', 2)).toEqual({
        items: ['a', 'b'],
        next: 'b',
      });
      expect(await client.tags('a', 2, 'b')).toEqual({
        items: ['c', 'd'],
        next: 'd',
      });
      expect(await client.tags('a', 2, 'd')).toEqual({
        items: ['e'],
        next: undefined,
      });
      expect(await client.allTags('a')).toEqual(['a', 'b', 'c', 'd', 'e']);
    } finally {
      await registry.stop();
    }
  });

  it('ends the tags when a registry ignores last and a repository has exactly n tags', async () => {
    // Debian's docker-registry 2.8 answers every tag whatever n and last say;
    // the old client trusted the answer to `last` and paged the same 2 tags
    // forever (allTags of a repository with 1,000 tags never returned)
    const registry = await fakeRegistry((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'a', tags: ['b', 'a'] }));
    });
    try {
      const client = new RegistryClient(registry.url);
      expect(await client.tags('a', 2)).toEqual({
        items: ['a', 'b'],
        next: 'b',
      });
      expect(await client.tags('a', 2, 'b')).toEqual({
        items: [],
        next: undefined,
      });
      expect(await client.allTags('a')).toEqual(['a', 'b']);
    } finally {
      await registry.stop();
    }
  });
});
