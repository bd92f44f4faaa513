#!/usr/bin/env node
// Bastion keystroke-to-echo latency on one real sshd host (scripts/services/sshd-hosts.sh):
//   (a) through opsdeck: WebSocket → bastion plugin (real Backstage 0.19 HTTP/WebSocket routers,
//       mock auth, SQLite in memory, recording and command tracking on) → SSH core PTY → sshd
//   (b) the SSH core's PTY alone (ssh2, no WebSocket, no recording)
//   (c) plain OpenSSH: `ssh -tt` to the same host
// One character is typed, the time until its echo arrives is taken; BENCH_KEYS (300) keys each.
// Prints median and p99 for each and opsdeck's difference to plain ssh.
// Run from the repository root:
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/bastion.mjs
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startBastionBackend } from './bastion-backend.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
const keys = Number(process.env.BENCH_KEYS ?? 300);

const { startSshdHosts } = require(path.join(
  root,
  'plugins/remote-node/src/testUtils/sshdHosts.ts',
));
const { SshConnectionPool } = require(path.join(
  root,
  'plugins/remote-node/src/index.ts',
));

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const fmt = ms => `${ms.toFixed(2)} ms`;

/** Types `keys` characters one at a time through `write`, timing each echo seen by `onData`. */
async function measure(write, subscribe) {
  const samples = [];
  let waiting;
  subscribe(text => {
    if (waiting && text.includes(waiting.ch)) {
      const w = waiting;
      waiting = undefined;
      w.resolve();
    }
  });
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < keys; i++) {
    const ch = letters[i % letters.length];
    const t0 = process.hrtime.bigint();
    await new Promise(resolve => {
      waiting = { ch, resolve };
      write(ch);
    });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (i % 50 === 49) write('\x15'); // Ctrl-U keeps the line short
    await new Promise(r => setTimeout(r, 2));
  }
  write('\x15');
  return samples;
}

const waitFor = (subscribeOnce, pattern) =>
  new Promise(resolve => {
    let seen = '';
    subscribeOnce(text => {
      seen += text;
      if (pattern.test(seen)) {
        resolve();
        return true;
      }
      return false;
    });
  });

const sshd = await startSshdHosts(1);
const host = sshd.hosts[0];
const results = {};
try {
  // (c) plain OpenSSH
  {
    const ssh = spawn('ssh', [
      '-tt',
      '-i',
      sshd.privateKey,
      '-p',
      String(host.port),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      `${sshd.user}@${host.host}`,
    ]);
    const listeners = new Set();
    ssh.stdout.on('data', d => {
      const t = d.toString();
      for (const l of [...listeners]) if (l(t) === true) listeners.delete(l);
    });
    await waitFor(l => listeners.add(l), /\$ $/);
    const samples = await measure(
      ch => ssh.stdin.write(ch),
      l => listeners.add(l),
    );
    results['plain ssh'] = samples;
    ssh.stdin.write('exit\n');
    ssh.kill();
  }

  // (b) the SSH core's PTY
  const pool = new SshConnectionPool();
  {
    const channel = await pool.shell({
      host: host.host,
      port: host.port,
      credentials: { username: sshd.user, privateKey: sshd.privateKeyText },
    });
    const listeners = new Set();
    channel.on('data', d => {
      const t = d.toString();
      for (const l of [...listeners]) if (l(t) === true) listeners.delete(l);
    });
    await waitFor(l => listeners.add(l), /\$ $/);
    results['SSH core PTY'] = await measure(
      ch => channel.write(ch),
      l => listeners.add(l),
    );
    channel.close();
  }
  await pool.close();

  // (a) through the bastion plugin over WebSocket
  {
    const backend = await startBastionBackend(sshd);
    await backend.grant('user:default/bench', { host: 'bench-01' });
    const ws = backend.terminal('bench-01', 'user:default/bench');
    const listeners = new Set();
    ws.on('message', raw => {
      const m = JSON.parse(raw.toString());
      if (m.type !== 'output') return;
      for (const l of [...listeners])
        if (l(m.data) === true) listeners.delete(l);
    });
    await waitFor(l => listeners.add(l), /\$ $/);
    results['opsdeck bastion (WebSocket)'] = await measure(
      ch => ws.send(JSON.stringify({ type: 'input', data: ch })),
      l => listeners.add(l),
    );
    ws.close();
    await backend.stop();
  }
} finally {
  await sshd.stop();
}

console.log(
  `Keystroke-to-echo latency, ${keys} keys each, one sshd on loopback (${
    os.cpus().length
  } CPUs)`,
);
for (const [name, samples] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(30)} median ${fmt(quantile(samples, 0.5))}   p99 ${fmt(
      quantile(samples, 0.99),
    )}`,
  );
}
const ours = results['opsdeck bastion (WebSocket)'];
const plain = results['plain ssh'];
console.log(
  `  opsdeck − plain ssh: median ${fmt(
    quantile(ours, 0.5) - quantile(plain, 0.5),
  )}, p99 ${fmt(quantile(ours, 0.99) - quantile(plain, 0.99))}`,
);
process.exit(0);
