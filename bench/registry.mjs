#!/usr/bin/env node
// Image registry browser (plugins/registry-backend) on a registry holding 1,000 repositories and
// 10,000 tags: Debian's docker-registry on loopback, seeded through its HTTP API (one config blob
// per repository, then one tiny OCI manifest per tag: `bench/big` has 9,001 tags, the 999 others one).
// Each row runs opsdeck's page and its peer alternately, BENCH_RUNS times after a warm-up, and
// prints min / median / max of each and of the per-pair ratio. The peer is what a registry client
// (docker-registry-ui, crane, skopeo) does to show the same page: the registry's own API, paged
// with n/last and its Link header:
//   repositories  page 1, the middle page and the last page of 100 of `_catalog`; all 1,000 by 100
//   tags          a 1-tag repository; page 1, the middle and the last page of 100 of bench/big;
//                 all 9,001 by 1,000 (vs `skopeo list-tags`, one process per run, and vs raw
//                 Link paging), all 9,001 by 100 (what the browser's pager walks)
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
  await pool(manifests, 16);
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

/**
 * Runs `ours` and `peer` alternately (`runs` pairs after one warm-up each), so
 * both see the same machine load; the times of each and the per-pair ratio.
 */
async function measurePair(ours, peer, n = runs) {
  await ours();
  await peer();
  const a = [];
  const b = [];
  for (let i = 0; i < n; i++) {
    a.push(await timed(ours));
    b.push(await timed(peer));
  }
  return { ours: a, peer: b, ratio: a.map((x, i) => x / b[i]) };
}

const spread = xs => ({
  min: Math.min(...xs),
  median: median(xs),
  max: Math.max(...xs),
});

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
    const sortedRepos = seeded.repos.slice().sort();
    const midRepo = sortedRepos[REPOS / 2];
    const deepRepo = sortedRepos[REPOS - 101]; // the last page of 100
    const tagName = i => `t${String(i).padStart(5, '0')}`;
    const midTag = tagName(Math.floor(BIG_TAGS / 2));
    const deepTag = tagName(BIG_TAGS - 101); // the last page of 100
    const big = encodeURIComponent('bench/big');
    const small = sortedRepos[REPOS / 2];
    const q = v => (v ? `&last=${encodeURIComponent(v)}` : '');

    const check = await getJson(
      `${api}/repositories?limit=100${q(midRepo)}`,
      auth,
    );
    const raw = await getJson(`${registry.url}/v2/_catalog?n=100${q(midRepo)}`);
    if (JSON.stringify(check.items) !== JSON.stringify(raw.repositories)) {
      throw new Error(
        'opsdeck and the registry disagree on the repositories page',
      );
    }
    const deepCheck = await getJson(
      `${api}/tags?repository=${big}&limit=100${q(deepTag)}`,
      auth,
    );
    if (deepCheck.items.length !== 100 || deepCheck.next !== undefined) {
      throw new Error(
        `the deep tags page is not the last 100: ${deepCheck.items.length}, next ${deepCheck.next}`,
      );
    }

    // The peer of a page is what a registry client does to show it: one
    // request to the registry's own API with n/last (the registry answers
    // _catalog pages; Debian's 2.8 answers every tag for tags/list, so a client
    // such as docker-registry-ui pages the full answer itself).
    const opsdeckRepos = last => () =>
      getJson(`${api}/repositories?limit=100${q(last)}`, auth);
    const rawRepos = last => () =>
      getJson(`${registry.url}/v2/_catalog?n=100${q(last)}`);
    const opsdeckTags =
      (repo, last, limit = 100) =>
      () =>
        getJson(
          `${api}/tags?repository=${encodeURIComponent(repo)}&limit=${limit}${q(
            last,
          )}`,
          auth,
        );
    const rawTags =
      (repo, last, limit = 100) =>
      () =>
        getJson(`${registry.url}/v2/${repo}/tags/list?n=${limit}${q(last)}`);

    // Every page, following `next` (opsdeck) or the Link header (registry).
    const counts = {};
    const opsdeckAll = (what, url, limit) => async () => {
      let n = 0;
      let last;
      for (;;) {
        const page = await getJson(
          `${url}${url.includes('?') ? '&' : '?'}limit=${limit}${q(last)}`,
          auth,
        );
        n += page.items.length;
        if (!page.next) break;
        last = page.next;
      }
      counts[`opsdeck ${what}`] = n;
    };
    let rawPages = 0;
    const rawAll = (what, url, field) => async () => {
      let n = 0;
      let pages = 0;
      let next = url;
      while (next) {
        const res = await fetch(next);
        if (!res.ok) throw new Error(`${next}: ${res.status}`);
        const page = await res.json();
        n += page[field].length;
        pages++;
        const link = res.headers.get('link');
        const m = link && /<([^>]+)>/.exec(link);
        next = m ? new URL(m[1], registry.url).toString() : undefined;
      }
      counts[`raw ${what}`] = n;
      if (field === 'tags') rawPages = pages;
    };
    let skopeoCount = 0;
    const skopeo = async () => {
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
    };
    const skopeoRuns = Math.max(5, Math.ceil(runs / 3));

    const rows = [];
    const row = async (what, ours, peer, name, n) =>
      rows.push([what, await measurePair(ours, peer, n), name]);
    await row(
      'repositories, page 1 (100)',
      opsdeckRepos(),
      rawRepos(),
      'raw _catalog?n=100',
    );
    await row(
      'repositories, page 6 (middle)',
      opsdeckRepos(midRepo),
      rawRepos(midRepo),
      'raw _catalog?n=100&last=',
    );
    await row(
      'repositories, page 10 (last)',
      opsdeckRepos(deepRepo),
      rawRepos(deepRepo),
      'raw _catalog?n=100&last=',
    );
    await row(
      'all 1,000 repositories by 100',
      opsdeckAll('repos', `${api}/repositories`, 100),
      rawAll('repos', `${registry.url}/v2/_catalog?n=100`, 'repositories'),
      'raw _catalog, Link paging',
    );
    await row(
      'tags of a 1-tag repository',
      opsdeckTags(small),
      rawTags(small),
      'raw tags/list',
    );
    await row(
      'tags, page 1 (100 of 9,001)',
      opsdeckTags('bench/big'),
      rawTags('bench/big'),
      'raw tags/list?n=100',
    );
    await row(
      'tags, page 46 (middle)',
      opsdeckTags('bench/big', midTag),
      rawTags('bench/big', midTag),
      'raw tags/list?n=100&last=',
    );
    await row(
      'tags, page 91 (last)',
      opsdeckTags('bench/big', deepTag),
      rawTags('bench/big', deepTag),
      'raw tags/list?n=100&last=',
    );
    await row(
      'all 9,001 tags by 1,000',
      opsdeckAll('tags', `${api}/tags?repository=${big}`, 1000),
      skopeo,
      'skopeo list-tags',
      skopeoRuns,
    );
    await row(
      'all 9,001 tags by 1,000 (raw)',
      opsdeckAll('tags', `${api}/tags?repository=${big}`, 1000),
      rawAll('tags', `${registry.url}/v2/bench/big/tags/list?n=1000`, 'tags'),
      'raw tags/list, Link paging',
    );
    await row(
      'all 9,001 tags by 100',
      opsdeckAll('tags100', `${api}/tags?repository=${big}`, 100),
      rawAll('tags100', `${registry.url}/v2/bench/big/tags/list?n=100`, 'tags'),
      'raw tags/list, Link paging',
      Math.max(5, Math.ceil(runs / 3)),
    );
    for (const [k, v] of Object.entries(counts)) {
      const want = k.endsWith('repos') ? REPOS : BIG_TAGS;
      if (v !== want) throw new Error(`${k}: ${v} listed, ${want} seeded`);
    }
    if (skopeoCount !== BIG_TAGS) {
      throw new Error(`skopeo listed ${skopeoCount} tags, ${BIG_TAGS} seeded`);
    }
    console.log(
      `\nregistry browser: ${runs} alternating runs per row after a warm-up (skopeo and "by 100" ${skopeoRuns}); ms min / median / max`,
    );
    console.log(
      `the registry answered all ${BIG_TAGS} tags in ${rawPages} page(s) when asked for n=100${
        rawPages === 1 ? ' (it ignores n for tags/list)' : ''
      }`,
    );
    const mmm = xs => {
      const s = spread(xs);
      return `${s.min.toFixed(1)} / ${s.median.toFixed(1)} / ${s.max.toFixed(
        1,
      )}`;
    };
    const rat = xs => {
      const s = spread(xs);
      return `${s.min.toFixed(2)} / ${s.median.toFixed(2)} / ${s.max.toFixed(
        2,
      )}`;
    };
    console.log(
      `| ${'page'.padEnd(31)} | ${'opsdeck'.padEnd(24)} | ${'peer'.padEnd(
        24,
      )} | ${'ratio'.padEnd(20)} | peer`,
    );
    for (const [what, m, name] of rows) {
      console.log(
        `| ${what.padEnd(31)} | ${mmm(m.ours).padEnd(24)} | ${mmm(
          m.peer,
        ).padEnd(24)} | ${rat(m.ratio).padEnd(20)} | ${name}`,
      );
    }
  } catch (e) {
    // said before the clean-up, which takes minutes for 10,000 tags
    console.error(e);
    const log = path.join(work, 'backend.log');
    if (fs.existsSync(log)) {
      console.error(
        fs.readFileSync(log, 'utf8').split('\n').slice(-40).join('\n'),
      );
    }
    throw e;
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
