#!/usr/bin/env node
// Monitoring (plugins/monitoring-backend), two figures, each beside a peer measured in the same run:
//
// alerts  Alert delivery latency. Debian prometheus-alertmanager gets BENCH_ALERTS alerts, one at a
//         time, through its API (POST /api/v2/alerts, one group per alert, group_wait 0s). Its route
//         sends each to three receivers: opsdeck's webhook (POST /api/monitoring/alerts/webhook,
//         static token, through a pass-through proxy in this process that notes when Alertmanager
//         posted), Alertmanager's OWN email receiver, and Alertmanager's OWN webhook to a local HTTP
//         receiver in this process. opsdeck routes the alert to three catch-all channels: mail
//         (SMTP), Backstage notifications and a generic webhook to that same receiver (same clock). Both mails land in one real SMTP server (npm
//         smtp-server) on loopback, in this process, which notes the arrival time.
//           opsdeck mail      alert posted to Alertmanager -> opsdeck's mail at the sink
//           AM's own email    alert posted to Alertmanager -> Alertmanager's mail at the sink
//         and opsdeck's own part, from the webhook leaving Alertmanager (arriving at the proxy):
//           -> its mail at the sink, -> the Backstage notification stored (the delivery's `sent` time).
// fleet   The fleet overview's API (GET /api/monitoring/fleet?limit=10 as alice) with BENCH_FLEET_HOSTS
//         catalog hosts, every one a Prometheus target found through opsdeck's HTTP SD (one Debian
//         node_exporter under that many targets; every 50th host points at a closed port, so some are
//         down), versus the same PromQL sent straight to Prometheus: the exact queries opsdeck sends
//         (fleetQueries, chunks of 100 refs, 4 chunks x 4 queries at once) and the same 4 queries over
//         the whole fleet in one regex (`opsdeck_entity=~"resource:default/bench-host-.*"`).
// opsdeck runs the full backend (packages/backend, SQLite) from source.
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/monitoring.mjs [alerts|fleet]
// Environment: BENCH_ALERTS (50), BENCH_FLEET_HOSTS (1000), BENCH_RUNS (30), BENCH_PORT (7036)
// Printed per row: min, p50, p95, max; ratios at p50 and p95.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startOpsdeckBackend } from './lib/opsdeckBackend.mjs';
import { median, quantile, sleep, timed } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const {
  startAlertmanager,
  startNodeExporter,
  startPrometheus,
  activeTargets,
  freePort,
} = require('../plugins/monitoring-backend/src/__testUtils__/servers.ts');
const {
  fleetQueries,
  FLEET_CHUNK,
  FLEET_PARALLEL,
} = require('../plugins/monitoring-backend/src/views/fleet.ts');
const { oneOf } = require('../plugins/monitoring-backend/src/rules/promql.ts');
const { SMTPServer } = require('smtp-server');

/** The machine's load average (1 and 5 min) and CPUs: these are timings on a shared machine. */
const load = () =>
  `load average ${os
    .loadavg()
    .slice(0, 2)
    .map(x => x.toFixed(1))
    .join(' / ')} on ${os.cpus().length} CPUs`;

const which = process.argv[2] ?? 'all';
const ALERTS = Number(process.env.BENCH_ALERTS ?? 50);
const HOSTS = Number(process.env.BENCH_FLEET_HOSTS ?? 1000);
const runs = Number(process.env.BENCH_RUNS ?? 30);
const port = Number(process.env.BENCH_PORT ?? 7036);
const SD_TOKEN = 'bench-prometheus-sd-token-0000000001';
const AM_TOKEN = 'bench-alertmanager-token-000000000002';

const stats = xs => ({
  min: Math.min(...xs),
  median: median(xs),
  p95: quantile(xs, 0.95),
  max: Math.max(...xs),
});
const f = ms => `${ms.toFixed(1)}`.padStart(7);
const row = (what, s) =>
  `${what.padEnd(44)} ${f(s.min)} ${f(s.median)} ${f(s.p95)} ${f(s.max)}`;
const HEAD = `${'what (ms)'.padEnd(44)} ${['min', 'p50', 'p95', 'max']
  .map(x => x.padStart(7))
  .join(' ')}`;

/** A real SMTP server on loopback noting when each mail arrived, and for whom. */
async function startSink() {
  const mails = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        mails.push({
          at: Date.now(),
          to: session.envelope.rcptTo.map(r => r.address),
        });
        callback();
      });
    },
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return {
    port: server.server.address().port,
    mails,
    close: () => new Promise(r => server.close(r)),
  };
}

/** Forwards Alertmanager's webhook to opsdeck, noting when each post arrived (by bench_id). */
async function startProxy(target) {
  const arrivals = new Map();
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        for (const a of JSON.parse(body.toString()).alerts ?? []) {
          if (!arrivals.has(a.labels.bench_id))
            arrivals.set(a.labels.bench_id, at);
        }
      } catch {
        // not JSON: opsdeck will say so
      }
      const answer = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          authorization: req.headers.authorization ?? '',
        },
        body,
      }).catch(e => ({ status: 502, text: async () => String(e) }));
      res.writeHead(answer.status);
      res.end(await answer.text());
    });
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    arrivals,
    close: () => new Promise(r => server.close(r)),
  };
}

/**
 * One local webhook receiver for both peers: Alertmanager's own webhook (path /am, Alertmanager's
 * payload) and opsdeck's generic webhook channel (path /opsdeck, opsdeck's payload). It notes the
 * arrival time of each bench_id per path, with the same clock.
 */
async function startHookReceiver() {
  const arrivals = { am: new Map(), opsdeck: new Map() };
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString());
        const ids =
          req.url === '/am'
            ? (body.alerts ?? []).map(a => a.labels?.bench_id)
            : [body.alert?.labels?.bench_id];
        const seen = arrivals[req.url === '/am' ? 'am' : 'opsdeck'];
        for (const id of ids)
          if (id !== undefined && !seen.has(id)) seen.set(id, at);
      } catch {
        // not JSON: not counted
      }
      res.writeHead(200);
      res.end('ok');
    });
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    arrivals,
    close: () => new Promise(r => server.close(r)),
  };
}

function hostEntities(exporterPort, closedPort) {
  let out = '';
  for (let i = 0; i < HOSTS; i++) {
    const name = `bench-host-${String(i).padStart(4, '0')}`;
    out += `---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: ${name}
  annotations:
    opsdeck.io/exporter: 127.0.0.1:${i % 50 === 49 ? closedPort : exporterPort}
spec:
  type: host
  address: 127.0.0.1
  environment: test
  owner: ops
  system: bench
`;
  }
  return out;
}

async function waitUntil(check, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(250);
  }
}

async function benchAlerts({
  backend,
  alice,
  alertmanager,
  sink,
  proxy,
  hooks,
}) {
  const samples = {
    opsdeckHook: [],
    amHook: [],
    ownHook: [],
    opsdeckMail: [],
    amMail: [],
    ownMail: [],
    ownNote: [],
    recorded: [],
  };
  const posted = new Map();
  // one warm-up alert (first catalog lookup, first SMTP connection), not counted
  for (let i = -1; i < ALERTS; i++) {
    const id = String(i);
    const before = { ops: count(sink, 'ops'), am: count(sink, 'am') };
    const t0 = Date.now();
    const res = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: {
            alertname: 'BenchAlert',
            bench_id: id,
            severity: 'critical',
            opsdeck_entity: 'resource:default/bench-host-0000',
            opsdeck_name: 'bench-host-0000',
          },
          annotations: { summary: `bench alert ${id}` },
          startsAt: new Date().toISOString(),
        },
      ]),
    });
    if (!res.ok) throw new Error(`alertmanager: ${res.status}`);
    posted.set(id, t0);
    const [ops, am] = await waitUntil(
      async () => {
        const o = sink.mails.filter(m => m.to.includes('ops@bench.test'));
        const a = sink.mails.filter(m => m.to.includes('am@bench.test'));
        return o.length > before.ops &&
          a.length > before.am &&
          hooks.arrivals.am.has(id) &&
          hooks.arrivals.opsdeck.has(id)
          ? [o[before.ops], a[before.am]]
          : undefined;
      },
      `both mails and both webhooks of alert ${id}`,
      30_000,
    );
    if (i >= 0) {
      samples.opsdeckHook.push(hooks.arrivals.opsdeck.get(id) - t0);
      samples.amHook.push(hooks.arrivals.am.get(id) - t0);
      samples.ownHook.push(
        hooks.arrivals.opsdeck.get(id) - proxy.arrivals.get(id),
      );
      samples.opsdeckMail.push(ops.at - t0);
      samples.amMail.push(am.at - t0);
      samples.ownMail.push(ops.at - proxy.arrivals.get(id));
    }
    await sleep(100);
  }
  // the Backstage notification: its delivery's `sent` time, recorded by opsdeck after the
  // notifications backend stored it
  const { items } = await backend.api(
    alice,
    'GET',
    '/monitoring/alerts?limit=100',
  );
  for (const event of items) {
    const id = event.labels?.bench_id;
    if (id === undefined || id === '-1' || event.status !== 'firing') continue;
    const deliveries = await backend.api(
      alice,
      'GET',
      `/monitoring/alerts/${event.id}/deliveries`,
    );
    const list = deliveries.items ?? deliveries;
    const note = list.find(d => d.channel === 'portal' && d.state === 'sent');
    if (!note) throw new Error(`alert ${id}: no stored notification`);
    samples.ownNote.push(Date.parse(note.updatedAt) - proxy.arrivals.get(id));
    samples.recorded.push(
      Date.parse(event.receivedAt) - proxy.arrivals.get(id),
    );
  }
  if (samples.ownNote.length !== ALERTS) {
    throw new Error(`${samples.ownNote.length} of ${ALERTS} alerts listed`);
  }
  const o = stats(samples.opsdeckMail);
  const a = stats(samples.amMail);
  const oh = stats(samples.opsdeckHook);
  const ah = stats(samples.amHook);
  console.log(
    `\nalert delivery, ${ALERTS} alerts one at a time (Alertmanager ${
      alertmanager.version
    }, group_wait 0s; ${load()})`,
  );
  console.log(HEAD);
  console.log(row('opsdeck: posted to AM -> opsdeck webhook at rx', oh));
  console.log(row("peer: posted to AM -> AM's own webhook at rx", ah));
  console.log(
    `ratio (opsdeck webhook / Alertmanager webhook): p50 ${(
      oh.median / ah.median
    ).toFixed(2)}, p95 ${(oh.p95 / ah.p95).toFixed(2)}`,
  );
  console.log(row('opsdeck: posted to AM -> opsdeck mail at sink', o));
  console.log(row("peer: posted to AM -> AM's own email at sink", a));
  console.log(
    `ratio (opsdeck mail / Alertmanager email): p50 ${(
      o.median / a.median
    ).toFixed(2)}, p95 ${(o.p95 / a.p95).toFixed(2)}`,
  );
  console.log("opsdeck's own part, from the webhook's arrival:");
  console.log(
    row('  webhook -> recorded (auth, catalog owner)', stats(samples.recorded)),
  );
  console.log(row('  webhook -> mail at sink', stats(samples.ownMail)));
  console.log(
    row('  webhook -> opsdeck webhook at rx', stats(samples.ownHook)),
  );
  console.log(
    row('  webhook -> Backstage notification stored', stats(samples.ownNote)),
  );
}

const count = (sink, who) =>
  sink.mails.filter(m => m.to.includes(`${who}@bench.test`)).length;

async function benchFleet({ backend, alice, prometheus }) {
  const refs = Array.from(
    { length: HOSTS },
    (_, i) => `resource:default/bench-host-${String(i).padStart(4, '0')}`,
  ).sort();
  // every target known and scraped, and enough samples for the 5m CPU rate
  await waitUntil(
    async () => {
      const targets = await activeTargets(prometheus.url);
      const scraped = targets.filter(t => t.health !== 'unknown').length;
      return scraped === HOSTS;
    },
    `Prometheus scraping ${HOSTS} targets`,
    300_000,
  );
  await sleep(65_000);
  const time = () => String(Math.floor(Date.now() / 1000));
  const ask = async query => {
    const res = await fetch(
      `${prometheus.url}/api/v1/query?${new URLSearchParams({
        query,
        time: time(),
      })}`,
    );
    const body = await res.json();
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data.result;
  };
  const four = async q =>
    Promise.all([ask(q.cpu), ask(q.memory), ask(q.disk), ask(q.down)]);
  const direct = async () => {
    // as opsdeck asks: chunks of FLEET_CHUNK refs, FLEET_PARALLEL chunks at once
    const chunks = [];
    for (let i = 0; i < refs.length; i += FLEET_CHUNK) {
      chunks.push(refs.slice(i, i + FLEET_CHUNK));
    }
    let down = 0;
    for (let i = 0; i < chunks.length; i += FLEET_PARALLEL) {
      const answers = await Promise.all(
        chunks
          .slice(i, i + FLEET_PARALLEL)
          .map(chunk => four(fleetQueries(oneOf('opsdeck_entity', chunk), 10))),
      );
      for (const r of answers) down += r[3].length;
    }
    return down;
  };
  const whole = fleetQueries(
    'opsdeck_entity=~"resource:default/bench-host-.*"',
    10,
  );
  const api = () => backend.api(alice, 'GET', '/monitoring/fleet?limit=10');
  const first = await api();
  const downDirect = await direct();
  // the closed-port hosts are down; on a loaded machine some scrapes time out too
  const closed = Math.floor(HOSTS / 50);
  if (
    first.hosts !== HOSTS ||
    first.down.length < closed ||
    downDirect < closed
  ) {
    throw new Error(
      `fleet: ${first.hosts} hosts, ${first.down.length} down; Prometheus ${downDirect} down`,
    );
  }
  const t = { api: [], direct: [], whole: [] };
  for (let i = 0; i < runs; i++) {
    t.api.push(await timed(api));
    t.direct.push(await timed(direct));
    t.whole.push(await timed(() => four(whole)));
  }
  const a = stats(t.api);
  const d = stats(t.direct);
  const w = stats(t.whole);
  console.log(
    `\nfleet overview, ${HOSTS} hosts = ${HOSTS} Prometheus targets (${
      first.down.length
    } down), ${runs} runs; ${load()}`,
  );
  console.log(HEAD);
  console.log(row('opsdeck GET /api/monitoring/fleet?limit=10', a));
  console.log(
    row(`peer: same PromQL to Prometheus (chunks of ${FLEET_CHUNK})`, d),
  );
  console.log(row('peer: the 4 queries over the whole fleet', w));
  console.log(
    `ratio of medians: ${(a.median / d.median).toFixed(2)} (same PromQL), ${(
      a.median / w.median
    ).toFixed(2)} (one query each)`,
  );
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-mon-'));
  const started = [];
  let backend;
  try {
    const sink = await startSink();
    started.push(sink);
    const proxy = await startProxy(`http://localhost:${port}`);
    started.push(proxy);
    const hooks = await startHookReceiver();
    started.push(hooks);
    const exporter = await startNodeExporter();
    started.push(exporter);
    const closedPort = await freePort();
    const prometheus = await startPrometheus(`global:
  scrape_interval: 30s
scrape_configs:
  - job_name: opsdeck-hosts
    http_sd_configs:
      - url: http://localhost:${port}/api/monitoring/sd/host
        refresh_interval: 5s
        authorization: { type: Bearer, credentials: ${SD_TOKEN} }
`);
    started.push(prometheus);
    const alertmanager = await startAlertmanager(`global:
  smtp_smarthost: 127.0.0.1:${sink.port}
  smtp_from: alertmanager@bench.test
  smtp_require_tls: false
route:
  receiver: opsdeck
  group_by: [bench_id]
  group_wait: 0s
  group_interval: 1m
  repeat_interval: 4h
  routes:
    - receiver: opsdeck
      continue: true
    - receiver: mail
      continue: true
    - receiver: hook
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:${hooks.port}/am
        send_resolved: false
  - name: opsdeck
    webhook_configs:
      - url: http://127.0.0.1:${proxy.port}/api/monitoring/alerts/webhook
        send_resolved: false
        http_config: { authorization: { type: Bearer, credentials: ${AM_TOKEN} } }
  - name: mail
    email_configs:
      - to: am@bench.test
        send_resolved: false
`);
    started.push(alertmanager);
    alertmanager.version = (
      await (await fetch(`${alertmanager.url}/api/v2/status`)).json()
    ).versionInfo.version;
    const auth = path.join(work, 'auth.yaml');
    fs.writeFileSync(
      auth,
      `backend:
  auth:
    externalAccess:
      - type: static
        options: { token: ${SD_TOKEN}, subject: prometheus }
        accessRestrictions:
          - { plugin: monitoring, permission: opsdeck.monitoring.sd.read }
      - type: static
        options: { token: ${AM_TOKEN}, subject: alertmanager }
        accessRestrictions:
          - { plugin: monitoring, permission: opsdeck.monitoring.alert.receive }
`,
    );
    backend = await startOpsdeckBackend({
      work,
      info: { hosts: [], user: 'bench' },
      port,
      extraConfigFiles: [auth],
      extraConfig: `  monitoring:
    prometheus: { url: ${prometheus.url} }
    alertmanager: { url: ${alertmanager.url} }
    smtp: { host: 127.0.0.1, port: ${sink.port}, from: opsdeck@bench.test }
    channels:
      - { name: ops-mail, type: email, to: [ops@bench.test] }
      - { name: portal, type: notifications }
      - { name: hook, type: webhook, url: 'http://127.0.0.1:${hooks.port}/opsdeck' }
`,
      extraEntities: hostEntities(exporter.port, closedPort),
    });
    const alice = await waitUntil(
      () => backend.login('alice'),
      'alice signs in',
      120_000,
    );
    // the catalog has every host (SD answers them all)
    await waitUntil(
      async () => {
        const res = await fetch(`${backend.base}/api/monitoring/sd/host`, {
          headers: { authorization: `Bearer ${SD_TOKEN}` },
        });
        return res.ok && (await res.json()).length === HOSTS;
      },
      `the catalog has ${HOSTS} hosts`,
      300_000,
    );
    if (which === 'all' || which === 'alerts') {
      await benchAlerts({ backend, alice, alertmanager, sink, proxy, hooks });
    }
    if (which === 'all' || which === 'fleet') {
      await benchFleet({ backend, alice, prometheus });
    }
  } finally {
    await backend?.stop();
    for (const s of started.reverse()) await (s.stop ?? s.close)();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
