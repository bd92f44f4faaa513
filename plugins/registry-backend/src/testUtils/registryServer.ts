import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Debian's docker-registry on a loopback port with a temporary storage dir, deletes enabled. */
export interface TestRegistry {
  url: string;
  host: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startRegistry(
  options: { port?: number } = {},
): Promise<TestRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-registry-'));
  const port = options.port ?? (await freePort());
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', d => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited: ${stderr}`);
    }
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await new Promise(r => setTimeout(r, 100));
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill();
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface BuiltImage {
  os: string;
  architecture: string;
  variant?: string;
  created: string;
  /** Manifest digest. */
  digest: string;
  /** Config + layer sizes. */
  size: number;
  layerSize: number;
}

export interface BuiltTag {
  tag: string;
  /** Digest of what the tag points at (index or manifest). */
  digest: string;
  images: BuiltImage[];
}

/**
 * An OCI image layout in a temporary dir, written by hand (blobs + index.json)
 * for `skopeo copy oci:<dir>:<tag>`.
 */
export class OciLayout {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-oci-'));
  private readonly refs: any[] = [];

  constructor() {
    fs.mkdirSync(path.join(this.dir, 'blobs', 'sha256'), { recursive: true });
    fs.writeFileSync(
      path.join(this.dir, 'oci-layout'),
      JSON.stringify({ imageLayoutVersion: '1.0.0' }),
    );
  }

  blob(content: Buffer | string) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const hex = createHash('sha256').update(data).digest('hex');
    fs.writeFileSync(path.join(this.dir, 'blobs', 'sha256', hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  }

  /** One image manifest with one random gzip layer of `bytes` bytes. */
  image(p: {
    os?: string;
    architecture: string;
    variant?: string;
    created: string;
    bytes?: number;
  }): BuiltImage & { descriptor: any } {
    const raw = randomBytes(p.bytes ?? 512);
    const layer = this.blob(zlib.gzipSync(raw));
    const osName = p.os ?? 'linux';
    const config = this.blob(
      JSON.stringify({
        created: p.created,
        architecture: p.architecture,
        os: osName,
        ...(p.variant ? { variant: p.variant } : {}),
        config: {},
        rootfs: {
          type: 'layers',
          diff_ids: [
            `sha256:${createHash('sha256').update(raw).digest('hex')}`,
          ],
        },
      }),
    );
    const manifest = this.blob(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          ...config,
        },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            ...layer,
          },
        ],
      }),
    );
    const platform = {
      architecture: p.architecture,
      os: osName,
      ...(p.variant ? { variant: p.variant } : {}),
    };
    return {
      ...platform,
      created: p.created,
      digest: manifest.digest,
      size: config.size + layer.size,
      layerSize: layer.size,
      descriptor: { mediaType: OCI_MANIFEST, ...manifest, platform },
    };
  }

  /** Names `tag` in the layout: one image, or an index of several. */
  tag(tag: string, images: Array<ReturnType<OciLayout['image']>>): BuiltTag {
    let descriptor: any;
    if (images.length === 1) {
      const { platform: _p, ...rest } = images[0].descriptor;
      descriptor = rest;
    } else {
      const index = this.blob(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: images.map(i => i.descriptor),
        }),
      );
      descriptor = { mediaType: OCI_INDEX, ...index };
    }
    this.refs.push({
      ...descriptor,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    });
    fs.writeFileSync(
      path.join(this.dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, manifests: this.refs }),
    );
    return {
      tag,
      digest: descriptor.digest,
      images: images.map(({ descriptor: _d, ...image }) => image),
    };
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `skopeo copy --all oci:<layout>:<tag> docker://<host>/<repository>:<destTag>` over plain HTTP. */
export async function skopeoPush(
  layout: OciLayout,
  tag: string,
  host: string,
  repository: string,
  destTag = tag,
) {
  await run(
    'skopeo',
    [
      '--insecure-policy',
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${layout.dir}:${tag}`,
      `docker://${host}/${repository}:${destTag}`,
    ],
    { timeout: 60_000 },
  );
}

/**
 * A login proxy in front of the registry, as a registry is often run behind
 * one: it answers 401 with a `Bearer` challenge whose realm (this proxy)
 * hands out a token for the right basic login, and forwards requests that
 * carry the token. It records every Authorization header it saw and every
 * request it forwarded to the registry (`GET /v2/…`).
 */
export async function startTokenProxy(
  upstream: string,
  login: { username: string; password: string },
) {
  const token = randomBytes(16).toString('hex');
  const seen: string[] = [];
  const forwarded: string[] = [];
  const port = await freePort();
  const expectedBasic = `Basic ${Buffer.from(
    `${login.username}:${login.password}`,
  ).toString('base64')}`;
  const server = http.createServer(async (req, res) => {
    const auth = req.headers.authorization ?? '';
    if (auth) seen.push(auth);
    if (req.url?.startsWith('/token')) {
      if (auth !== expectedBasic) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token }));
      return;
    }
    if (auth !== `Bearer ${token}`) {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test-registry"`,
        'content-type': 'application/json',
      });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    forwarded.push(`${req.method} ${req.url}`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k !== 'authorization' && k !== 'host' && typeof v === 'string') {
        headers[k] = v;
      }
    }
    const upstreamRes = await fetch(`${upstream}${req.url}`, {
      method: req.method,
      headers,
    });
    const out: Record<string, string> = {};
    upstreamRes.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'transfer-encoding') out[k] = v;
    });
    res.writeHead(upstreamRes.status, out);
    res.end(Buffer.from(await upstreamRes.arrayBuffer()));
  });
  await new Promise<void>(r => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    seen,
    forwarded,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}
