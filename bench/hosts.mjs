#!/usr/bin/env node
// Host list at scale: registers 10,000 and 100,000 generated hosts through opsdeck's API and
// measures how long until all are listed, then the host list's first-page and filtered-page
// latency (median, p95).
//
// For each size it starts opsdeck's real backend (packages/backend/src/index.ts, every plugin) on
// PostgreSQL (fresh databases under a random prefix, dropped at the end), signs in as alice and:
//   1. registers the hosts with POST /api/cmdb/hosts (500 per request, BENCH_POST_CONCURRENCY
//      requests at once; each host is validated, audited and inserted, then handed to the catalog
//      as a delta mutation), and polls GET /api/cmdb/hosts until `total` is N;
//   2. seeds reachability facts straight into the cmdb database's host_facts table (85% reachable,
//      10% unreachable, 5% never collected): collecting 100k fake hosts over SSH is not what this
//      measures, and the reachability filter needs facts to filter on;
//   3. times GET /api/cmdb/hosts?limit=50 unfiltered, and filtered by environment, owner, tag,
//      reachability, and environment+owner, plus the second page (keyset `after`) of the tag filter.
//      Filter values rotate so most first pages compute their count (it is cached 10 s per filter).
// Generated addresses are names under `.bench.invalid`; the fact-collection task is delayed past
// the run, so nothing connects anywhere.
//
// Run from the repository root: node bench/hosts.mjs   (bash bench/run.sh hosts)
// Environment: BENCH_HOST_SIZES (10000,100000), BENCH_SAMPLES (40 per filter),
//   BENCH_PG_URL (postgresql://opsdeck:opsdeck-test-pw@127.0.0.1:55432), BENCH_PORT (7098),
//   BENCH_POST_CONCURRENCY (2)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { spawnRunBackend } from './lib/runBackend.mjs';

const require = createRequire(import.meta.url);
const knexFactory = require('knex');
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const sizes = (process.env.BENCH_HOST_SIZES ?? '10000,100000')
  .split(',')
  .map(Number);
const samples = Number(process.env.BENCH_SAMPLES ?? 40);
const pgUrl =
  process.env.BENCH_PG_URL ??
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://opsdeck:opsdeck-test-pw@127.0.0.1:55432';
const port = Number(process.env.BENCH_PORT ?? 7098);
const postConcurrency = Number(process.env.BENCH_POST_CONCURRENCY ?? 2);
const base = `http://localhost:${port}`;

const ENVIRONMENTS = ['prod', 'staging', 'dev', 'test'];
const OWNERS = Array.from({ length: 40 }, (_, i) => `team-${i}`);
const TAGS = Array.from({ length: 60 }, (_, i) => `tag-${i}`);

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Deterministic generator, so every run registers the same hosts. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function generateHosts(n) {
  const rand = rng(42);
  const pick = xs => xs[Math.floor(rand() * xs.length)];
  const hosts = [];
  for (let i = 0; i < n; i++) {
    const tags = new Set();
    const k = 1 + Math.floor(rand() * 3);
    while (tags.size < k) tags.add(pick(TAGS));
    const name = `bench-${String(i).padStart(6, '0')}`;
    hosts.push({
      name,
      address: `${name}.bench.invalid`,
      port: 22,
      environment: pick(ENVIRONMENTS),
      owner: pick(OWNERS),
      tags: [...tags],
    });
  }
  return hosts;
}

function pgAdminUrl(db = 'postgres') {
  const u = new URL(pgUrl);
  u.pathname = `/${db}`;
  return u.href;
}

async function dropDatabases(prefix) {
  const admin = knexFactory({ client: 'pg', connection: pgAdminUrl() });
  try {
    const rows = (
      await admin.raw(
        'select datname from pg_database where starts_with(datname, ?)',
        [prefix],
      )
    ).rows;
    for (const { datname } of rows) {
      await admin.raw('drop database if exists ?? with (force)', [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

async function startBackend(prefix, dir) {
  const u = new URL(pgUrl);
  const config = path.join(dir, 'bench.yaml');
  fs.writeFileSync(
    config,
    `app: { baseUrl: "${base}" }
backend:
  baseUrl: ${base}
  listen: { port: ${port} }
  database:
    client: pg
    prefix: ${prefix}
    connection:
      host: ${u.hostname}
      port: ${u.port || 5432}
      user: ${decodeURIComponent(u.username)}
      password: ${decodeURIComponent(u.password)}
opsdeck:
  cmdb:
    facts: { initialDelaySeconds: 86400 }
`,
  );
  const log = fs.openSync(path.join(dir, 'backend.log'), 'w');
  const child = spawnRunBackend({
    root,
    configs: [config],
    stdio: ['ignore', log, log],
  });
  for (let i = 0; i < 1800; i++) {
    try {
      const res = await fetch(`${base}/.backstage/health/v1/readiness`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) break;
    await sleep(200);
  }
  throw new Error(`backend did not become ready; see ${dir}/backend.log`);
}

function stopBackend(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // gone
  }
}

/** alice's Backstage token (local sign-in, then the auth plugin's refresh). */
async function aliceToken() {
  for (let attempt = 0; attempt < 300; attempt++) {
    const login = await fetch(`${base}/api/local-auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'opsdeck-demo' }),
    });
    if (login.ok) {
      const cookie = login.headers
        .getSetCookie()
        .map(c => c.split(';')[0])
        .join('; ');
      const refresh = await fetch(`${base}/api/auth/opsdeck/refresh`, {
        headers: { Cookie: cookie, 'X-Requested-With': 'XMLHttpRequest' },
      });
      if (refresh.ok) return (await refresh.json()).backstageIdentity.token;
    }
    // the catalog has not ingested the demo users yet
    await sleep(1000);
  }
  throw new Error('could not sign in as alice');
}

async function api(token, method, pathAndQuery, body) {
  const res = await fetch(`${base}/api/cmdb${pathAndQuery}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    throw new Error(
      `${method} ${pathAndQuery}: ${res.status} ${await res.text()}`,
    );
  }
  return res.json();
}

async function register(token, hosts) {
  const batches = [];
  for (let i = 0; i < hosts.length; i += 500) {
    batches.push(hosts.slice(i, i + 500));
  }
  let next = 0;
  let created = 0;
  async function worker() {
    while (next < batches.length) {
      const batch = batches[next++];
      const { results } = await api(token, 'POST', '/hosts', { hosts: batch });
      const bad = results.filter(r => r.status !== 'created');
      if (bad.length) {
        throw new Error(`not created: ${JSON.stringify(bad[0])}`);
      }
      created += results.length;
    }
  }
  await Promise.all(Array.from({ length: postConcurrency }, worker));
  return created;
}

async function seedFacts(prefix, hosts) {
  const db = knexFactory({
    client: 'pg',
    connection: pgAdminUrl(`${prefix}cmdb`),
  });
  try {
    const rand = rng(7);
    const now = new Date();
    const rows = [];
    for (const h of hosts) {
      const r = rand();
      if (r < 0.05) continue; // never collected
      rows.push(
        r < 0.15
          ? {
              name: h.name,
              reachable: false,
              error: 'connect ECONNREFUSED',
              collected_at: now,
            }
          : {
              name: h.name,
              reachable: true,
              os: 'Debian GNU/Linux 12 (bookworm)',
              kernel: '6.1.0-bench',
              uptime_seconds: Math.floor(rand() * 1e6),
              collected_at: now,
              last_ok_at: now,
            },
      );
    }
    for (let i = 0; i < rows.length; i += 1000) {
      await db('host_facts').insert(rows.slice(i, i + 1000));
    }
    await db.raw('analyze host_facts');
    await db.raw('analyze hosts');
  } finally {
    await db.destroy();
  }
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

async function timeQueries(token, makeQuery) {
  const times = [];
  let items = 0;
  for (let i = 0; i < samples; i++) {
    const q = makeQuery(i);
    const t0 = performance.now();
    const page = await api(token, 'GET', `/hosts?${q}`);
    times.push(performance.now() - t0);
    items += page.items.length;
  }
  return {
    median: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    avgItems: items / samples,
  };
}

async function benchSize(n) {
  const prefix = `bench_hosts_${randomBytes(3).toString('hex')}_`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-hosts-'));
  const hosts = generateHosts(n);
  let child;
  try {
    child = await startBackend(prefix, dir);
    const token = await aliceToken();

    const t0 = performance.now();
    await register(token, hosts);
    const registeredMs = performance.now() - t0;
    let listedMs;
    for (let i = 0; i < 600 && listedMs === undefined; i++) {
      const page = await api(token, 'GET', '/hosts?limit=1&q=bench-');
      if (page.total === n) listedMs = performance.now() - t0;
      else await sleep(500);
    }
    if (listedMs === undefined) throw new Error('hosts never all listed');

    await seedFacts(prefix, hosts);
    const limit = 'limit=50';
    const rows = [
      ['first page, no filter', () => limit],
      [
        'environment',
        i => `${limit}&environment=${ENVIRONMENTS[i % ENVIRONMENTS.length]}`,
      ],
      ['owner', i => `${limit}&owner=${OWNERS[i % OWNERS.length]}`],
      ['tag', i => `${limit}&tag=${TAGS[i % TAGS.length]}`],
      [
        'reachability',
        i => `${limit}&reachable=${['true', 'false', 'unknown'][i % 3]}`,
      ],
      [
        'environment + owner',
        i =>
          `${limit}&environment=${ENVIRONMENTS[i % 4]}&owner=${
            OWNERS[(i * 7) % OWNERS.length]
          }`,
      ],
    ];
    const results = [];
    for (const [name, makeQuery] of rows) {
      results.push([name, await timeQueries(token, makeQuery)]);
    }
    // a later page: keyset cursor, no count
    const cursors = [];
    for (let i = 0; i < samples; i++) {
      const tag = TAGS[i % TAGS.length];
      const first = await api(token, 'GET', `/hosts?${limit}&tag=${tag}`);
      cursors.push(`${limit}&tag=${tag}&after=${first.nextCursor}`);
    }
    results.push([
      'tag, 2nd page (after)',
      await timeQueries(token, i => cursors[i]),
    ]);

    const catalog = await fetch(
      `${base}/api/catalog/entities/by-query?limit=1&filter=kind=resource,spec.type=host`,
      { headers: { Authorization: `Bearer ${token}` } },
    )
      .then(r => (r.ok ? r.json() : undefined))
      .catch(() => undefined);
    return { n, registeredMs, listedMs, results, catalog };
  } finally {
    if (child) stopBackend(child);
    await sleep(2000);
    await dropDatabases(prefix).catch(e =>
      console.error(`could not drop ${prefix}* databases: ${e.message}`),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `host list at scale: opsdeck backend on PostgreSQL, ${
    os.cpus().length
  } cores, ${samples} samples per row, page size 50`,
);
for (const n of sizes) {
  const r = await benchSize(n);
  console.log(
    `\n${n.toLocaleString(
      'en',
    )} hosts: registered through POST /api/cmdb/hosts in ${(
      r.registeredMs / 1000
    ).toFixed(1)} s (${Math.round(
      n / (r.registeredMs / 1000),
    )} hosts/s); all listed after ${(r.listedMs / 1000).toFixed(1)} s`,
  );
  if (r.catalog?.totalItems !== undefined) {
    console.log(
      `  (host entities in the catalog at the end of the run, the 6 demo hosts included: ${r.catalog.totalItems})`,
    );
  }
  console.log(
    '  query                      median (ms)   p95 (ms)   rows/page',
  );
  for (const [name, s] of r.results) {
    console.log(
      `  ${name.padEnd(26)} ${s.median.toFixed(1).padStart(11)} ${s.p95
        .toFixed(1)
        .padStart(10)} ${s.avgItems.toFixed(0).padStart(11)}`,
    );
  }
}
