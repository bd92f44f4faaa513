#!/usr/bin/env node
// Image registry browser (plugins/registry-backend) on a registry holding 1,000 repositories and
// 10,000 tags: Debian's docker-registry on loopback, seeded through its HTTP API (one config blob
// per repository, then one tiny OCI manifest per tag: `bench/big` has 9,001 tags, the 999 others one).
// Measured in the same run, each the median of BENCH_RUNS:
//   repositories page  GET /api/registry/.../repositories?limit=100&last=<middle>  vs the raw
//                      registry's GET /v2/_catalog?n=100&last=<middle> (same fetch client)
//   tags page          GET /api/registry/.../tags?repository=bench/big&limit=100&last=<middle>
//                      vs GET /v2/bench/big/tags/list?n=100&last=<middle>
//   all 9,001 tags     opsdeck paged (limit=1000) vs `skopeo list-tags docker://…/bench/big` (one
//                      unpaged request), and vs the same n=1000 paging straight to the registry
// opsdeck runs the full backend (packages/backend, SQLite) from source, the registry a catalog
// resource; every call is signed in as alice (authentication, permission, catalog read each time).
//   node bench/registry.mjs
// Environment: BENCH_RUNS (15), BENCH_PORT (7033)
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startOpsdeckBackend } from './lib/opsdeckBackend.mjs';
import { median, sleep, timed } from './lib/stats.mjs';

const run = promisify(execFile);
const runs = Number(process.env.BENCH_RUNS ?? 15);
const port = Number(process.env.BENCH_PORT ?? 7033);
const REPOS = 1000;
const BIG_TAGS = 9001;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const p = server.address().port;
      server.close(() => resolve(p));
    });
    server.on('error', reject);
  });
}

async function startRegistry(work) {
  const regPort = await freePort();
  const config = path.join(work, 'registry.yml');
  fs.writeFileSync(
    config,
    `version: 0.1
log: { level: error }
storage:
  filesystem: { rootdirectory: ${path.join(work, 'storage')} }
  delete: { enabled: true }
http: { addr: 127.0.0.1:${regPort} }
`,
  );
  const child = spawn('docker-registry', ['serve', config], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${regPort}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch {
      // starting
    }
    if (i > 200) throw new Error('docker-registry did not start');
    await sleep(100);
  }
  return { url, host: `127.0.0.1:${regPort}`, stop: () => child.kill() };
}

const sha = data => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function ok(res, what) {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** Seeds every repository: its config blob (monolithic upload), then one manifest per tag. */
async function seed(url) {
  const config = Buffer.from(
    JSON.stringify({
      created: '2026-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const configDigest = sha(config);
  const repos = Array.from({ length: REPOS }, (_, i) =>
    i === 0 ? 'bench/big' : `bench/r${String(i).padStart(4, '0')}`,
  );
  const jobs = [];
  for (const repo of repos) {
    const tags =
      repo === 'bench/big'
        ? Array.from(
            { length: BIG_TAGS },
            (_, i) => `t${String(i).padStart(5, '0')}`,
          )
        : ['v1'];
    jobs.push({ repo, tags });
  }
  const putManifest = async (repo, tag) => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [],
      annotations: { 'org.opencontainers.image.version': `${repo}:${tag}` },
    });
    await ok(
      await fetch(`${url}/v2/${repo}/manifests/${tag}`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
        },
        body,
      }),
      `PUT ${repo}:${tag}`,
    );
  };
  const work = [];
  for (const { repo, tags } of jobs) {
    work.push(async () => {
      const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, {
        method: 'POST',
      });
      await ok(start.clone(), `upload ${repo}`);
      const location = new URL(start.headers.get('location'), url);
      location.searchParams.set('digest', configDigest);
      await ok(
        await fetch(location, {
          method: 'PUT',
          headers: { 'content-type': 'application/octet-stream' },
          body: config,
        }),
        `blob ${repo}`,
      );
    });
  }
  await pool(work, 8);
  const manifests = jobs.flatMap(({ repo, tags }) =>
    tags.map(tag => () => putManifest(repo, tag)),
  );
  await pool(manifests, 8);
  return { repos, tags: jobs.reduce((n, j) => n + j.tags.length, 0) };
}

async function pool(tasks, width) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

async function getJson(url, headers = {}) {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function measure(fn) {
  await fn(); // warm-up
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await timed(fn));
  return median(times);
}

const fmt = ms => `${ms.toFixed(1)} ms`;

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-registry-'));
  const registry = await startRegistry(work);
  let backend;
  try {
    const t0 = Date.now();
    const seeded = await seed(registry.url);
    console.log(
      `seeded ${seeded.repos.length} repositories, ${seeded.tags} tags in ${(
        (Date.now() - t0) /
        1000
      ).toFixed(1)} s`,
    );
    backend = await startOpsdeckBackend({
      work,
      info: { hosts: [], user: 'bench' },
      port,
      extraEntities: `---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: bench-registry
  annotations:
    opsdeck.io/registry-url: ${registry.url}
spec:
  type: registry
  owner: ops
`,
    });
    let alice;
    for (let i = 0; !alice; i++) {
      try {
        alice = await backend.login('alice');
      } catch (e) {
        if (i > 120) throw e;
        await sleep(1000);
      }
    }
    const auth = { Authorization: `Bearer ${alice}` };
    const api = `${backend.base}/api/registry/registries/default/bench-registry`;
    for (let i = 0; ; i++) {
      const res = await fetch(`${api}/repositories?limit=1`, { headers: auth });
      if (res.ok) break;
      if (i > 300)
        throw new Error(`registry resource not in the catalog: ${res.status}`);
      await sleep(1000);
    }
    const midRepo = seeded.repos.slice().sort()[REPOS / 2];
    const midTag = `t${String(Math.floor(BIG_TAGS / 2)).padStart(5, '0')}`;
    const big = encodeURIComponent('bench/big');

    const check = await getJson(
      `${api}/repositories?limit=100&last=${encodeURIComponent(midRepo)}`,
      auth,
    );
    const raw = await getJson(
      `${registry.url}/v2/_catalog?n=100&last=${encodeURIComponent(midRepo)}`,
    );
    if (JSON.stringify(check.items) !== JSON.stringify(raw.repositories)) {
      throw new Error(
        'opsdeck and the registry disagree on the repositories page',
      );
    }
    const rows = [];
    rows.push([
      'repositories page (100)',
      await measure(() =>
        getJson(
          `${api}/repositories?limit=100&last=${encodeURIComponent(midRepo)}`,
          auth,
        ),
      ),
      await measure(() =>
        getJson(
          `${registry.url}/v2/_catalog?n=100&last=${encodeURIComponent(
            midRepo,
          )}`,
        ),
      ),
      'raw /v2/_catalog',
    ]);
    rows.push([
      'tags page (100 of 9,001)',
      await measure(() =>
        getJson(`${api}/tags?repository=${big}&limit=100&last=${midTag}`, auth),
      ),
      await measure(() =>
        getJson(`${registry.url}/v2/bench/big/tags/list?n=100&last=${midTag}`),
      ),
      'raw /v2/…/tags/list',
    ]);
    let all = 0;
    const opsdeckAll = async () => {
      all = 0;
      let last;
      for (;;) {
        const page = await getJson(
          `${api}/tags?repository=${big}&limit=1000${
            last ? `&last=${last}` : ''
          }`,
          auth,
        );
        all += page.items.length;
        if (!page.next) break;
        last = page.next;
      }
    };
    // the same paging straight against the registry: where the paged time goes
    let rawAll = 0;
    let rawPages = 0;
    const rawPaged = async () => {
      rawAll = 0;
      rawPages = 0;
      let last;
      for (;;) {
        const res = await fetch(
          `${registry.url}/v2/bench/big/tags/list?n=1000${
            last ? `&last=${last}` : ''
          }`,
        );
        const page = await res.json();
        rawAll += page.tags.length;
        rawPages++;
        const link = res.headers.get('link');
        const next = link && /[?&]last=([^&>]+)/.exec(link);
        if (!next) break;
        last = next[1];
      }
    };
    const skopeoRuns = Math.max(3, Math.ceil(runs / 3));
    const skopeoTimes = [];
    let skopeoCount = 0;
    for (let i = 0; i < skopeoRuns; i++) {
      skopeoTimes.push(
        await timed(async () => {
          const { stdout } = await run(
            'skopeo',
            [
              'list-tags',
              '--tls-verify=false',
              `docker://${registry.host}/bench/big`,
            ],
            { maxBuffer: 64 * 1024 * 1024 },
          );
          skopeoCount = JSON.parse(stdout).Tags.length;
        }),
      );
    }
    rows.push([
      'all tags of bench/big',
      await measure(opsdeckAll),
      median(skopeoTimes),
      'skopeo list-tags',
    ]);
    rows.push([
      'all tags, raw paged n=1000',
      await measure(opsdeckAll),
      await measure(rawPaged),
      'raw /v2/…/tags/list paged',
    ]);
    if (all !== BIG_TAGS || skopeoCount !== BIG_TAGS || rawAll !== BIG_TAGS) {
      throw new Error(
        `tag counts: opsdeck ${all}, skopeo ${skopeoCount}, raw ${rawAll}, seeded ${BIG_TAGS}`,
      );
    }
    console.log(
      `\nregistry browser, median of ${runs} runs (skopeo ${skopeoRuns})`,
    );
    console.log(
      `the registry answered all ${BIG_TAGS} tags in ${rawPages} page(s) of n=1000${
        rawPages === 1
          ? ' (it ignores n for tags/list: opsdeck pages them itself)'
          : ''
      }`,
    );
    console.log(
      `${'what'.padEnd(26)} ${'opsdeck'.padStart(11)} ${'peer'.padStart(
        11,
      )}  ratio  peer`,
    );
    for (const [what, ours, peer, name] of rows) {
      console.log(
        `${what.padEnd(26)} ${fmt(ours).padStart(11)} ${fmt(peer).padStart(
          11,
        )}  ${(ours / peer).toFixed(2).padStart(5)}  ${name}`,
      );
    }
  } finally {
    await backend?.stop();
    registry.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
