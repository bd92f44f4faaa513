#!/usr/bin/env node
// Concurrent recorded bastion sessions in one backend process: opens BENCH_SESSIONS (500)
// terminals over WebSocket, spread over BENCH_HOSTS (10) real sshd hosts, each printing a line
// a second (a bash builtin loop, no forks), all recorded in asciicast; then measures for
// BENCH_STEADY_SECONDS (20) how many sessions kept receiving output, the process CPU and the
// memory per session (RSS and heap growth over the idle backend / N). The WebSocket clients
// run in the same process, so the figures include them.
// Run from the repository root:
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/bastion-sessions.mjs
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startBastionBackend } from './bastion-backend.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const { startSshdHosts } = require(path.join(
  root,
  'plugins/remote-node/src/testUtils/sshdHosts.ts',
));

const sessions = Number(process.env.BENCH_SESSIONS ?? 500);
const hostCount = Number(process.env.BENCH_HOSTS ?? 10);
const steadySeconds = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const perHost = Math.ceil(sessions / hostCount);
const mib = b => (b / 1024 / 1024).toFixed(1);
const sleep = ms => new Promise(r => setTimeout(r, ms));

const sshd = await startSshdHosts(hostCount);
let backend;
const sockets = [];
try {
  // each host gets ~perHost sessions; the SSH core allows 8 channels per connection
  backend = await startBastionBackend(sshd, {
    remoteNode: { maxConnectionsPerHost: Math.ceil(perHost / 8) + 2 },
  });
  // one user holds every session (the mock identity has no groups)
  await backend.grant('user:default/bench', { tag: 'bench' });
  global.gc?.();
  await sleep(1000);
  const idle = process.memoryUsage();
  const started = Date.now();
  const counts = new Array(sessions).fill(0);
  let ready = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: sessions }, (_, i) => {
      const ws = backend.terminal(
        backend.hostNames[i % hostCount],
        'user:default/bench',
      );
      sockets.push(ws);
      return new Promise(resolve => {
        ws.on('message', raw => {
          const m = JSON.parse(raw.toString());
          if (m.type === 'ready') {
            ready++;
            ws.send(
              JSON.stringify({
                type: 'input',
                data: 'while :; do echo "tick $SECONDS"; read -t 1; done\r',
              }),
            );
            resolve();
          } else if (m.type === 'output') counts[i]++;
          else if (m.type === 'error' || m.type === 'closed') {
            if (refused++ === 0)
              console.error(`first refusal: ${m.message ?? m.reason}`);
            resolve();
          }
        });
        ws.on('error', () => {
          refused++;
          resolve();
        });
      });
    }),
  );
  const openSeconds = (Date.now() - started) / 1000;
  await sleep(3000);
  counts.fill(0);
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await sleep(steadySeconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  const wall = (Date.now() - t0) / 1000;
  const alive = counts.filter(c => c >= steadySeconds / 2).length;
  global.gc?.();
  const mem = process.memoryUsage();
  console.log(
    `Concurrent recorded bastion sessions, ${sessions} over ${hostCount} sshd hosts, ${
      os.cpus().length
    } CPUs`,
  );
  console.log(
    `  opened ${ready}/${sessions} in ${openSeconds.toFixed(
      1,
    )} s (${refused} refused or failed)`,
  );
  console.log(
    `  receiving output every second for ${steadySeconds} s: ${alive}/${sessions}`,
  );
  console.log(
    `  backend process CPU in steady state: ${(
      (100 * (cpu.user + cpu.system)) /
      1e6 /
      wall
    ).toFixed(0)}% of one core`,
  );
  console.log(
    `  memory: RSS ${mib(mem.rss)} MiB (idle ${mib(idle.rss)}), per session ${(
      (mem.rss - idle.rss) /
      1024 /
      Math.max(ready, 1)
    ).toFixed(0)} KiB RSS, ${(
      (mem.heapUsed - idle.heapUsed) /
      1024 /
      Math.max(ready, 1)
    ).toFixed(0)} KiB heap`,
  );
} finally {
  for (const ws of sockets) ws.close();
  await sleep(1000);
  await backend?.stop();
  await sshd.stop();
}
process.exit(0);
