// The baselines the SSH benchmarks compare opsdeck with, run on the same sshd hosts
// (scripts/services/sshd-hosts.sh: `info` is its JSON: user, privateKey file, hosts):
//   parallel-ssh (Debian pssh): one OpenSSH client process per host, -p = hosts
//   ansible all -m command: forks = hosts, ControlMaster off (cold, like parallel-ssh)
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { median, timed } from './stats.mjs';

const run = promisify(execFile);

/** Writes a pssh hosts file (`host:port` lines) for `hosts`; returns its path. */
export function psshHostsFile(
  work,
  hosts,
  name = `pssh-hosts-${hosts.length}`,
) {
  const hostsFile = path.join(work, name);
  fs.writeFileSync(hostsFile, hosts.map(h => `${h.host}:${h.port}\n`).join(''));
  return hostsFile;
}

/** `-O` options for parallel-ssh / parallel-scp: the test key, no host key prompts. */
export function psshSshOptions(info) {
  return [
    'StrictHostKeyChecking=no',
    'UserKnownHostsFile=/dev/null',
    'LogLevel=ERROR',
    'BatchMode=yes',
    `IdentityFile=${info.privateKey}`,
    'IdentitiesOnly=yes',
  ].flatMap(o => ['-O', o]);
}

/** Times `runs` runs of `parallel-ssh ... <command>` on `hosts`; returns ms per run. */
export async function timeParallelSsh({ work, info, hosts, runs, command }) {
  const hostsFile = psshHostsFile(work, hosts);
  const sshOpts = psshSshOptions(info);
  const times = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      await timed(() =>
        run('parallel-ssh', [
          '-h',
          hostsFile,
          '-l',
          info.user,
          '-p',
          String(hosts.length),
          '-t',
          '120',
          ...sshOpts,
          command,
        ]),
      ),
    );
  }
  return times;
}

/** Times `runs` runs of `ansible all -m command -a <command>` on `hosts`; returns ms per run. */
export async function timeAnsible({ work, info, hosts, runs, command }) {
  const inventory = path.join(work, `inventory-${hosts.length}.ini`);
  fs.writeFileSync(
    inventory,
    [
      ...hosts.map(
        h => `h${h.port} ansible_host=${h.host} ansible_port=${h.port}`,
      ),
      '[all:vars]',
      `ansible_user=${info.user}`,
      `ansible_ssh_private_key_file=${info.privateKey}`,
      'ansible_python_interpreter=/usr/bin/python3',
      "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'",
      '',
    ].join('\n'),
  );
  const env = {
    ...process.env,
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_SSH_ARGS: '-o ControlMaster=no',
    ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
    ANSIBLE_NOCOLOR: '1',
  };
  const times = [];
  for (let i = 0; i < runs; i++) {
    times.push(
      await timed(() =>
        run(
          'ansible',
          [
            'all',
            '-i',
            inventory,
            '-m',
            'command',
            '-a',
            command,
            '-f',
            String(hosts.length),
            '-o',
          ],
          { env, maxBuffer: 16 * 1024 * 1024 },
        ),
      ),
    );
  }
  return times;
}

/**
 * One row per tool (`[name, ms per run]`, opsdeck's first) for `hosts` hosts, with the median's
 * ratio to parallel-ssh's.
 */
export function comparisonRows(hosts, opsdeckRows, { pssh, ansible }) {
  const baseline = median(pssh);
  return [
    ...opsdeckRows,
    ['parallel-ssh', pssh],
    ['ansible -m command (no ControlPersist)', ansible],
  ].map(([name, xs]) => ({
    hosts,
    name,
    runs: xs.length,
    median: median(xs),
    min: Math.min(...xs),
    ratio: median(xs) / baseline,
  }));
}

/** Prints the title, the CPUs and the rows as a Markdown table. */
export function printComparison(title, rows) {
  const cpus = os.cpus();
  console.log(`${title}, ${cpus.length} CPUs (${cpus[0]?.model ?? '?'})`);
  console.log('');
  console.log('| hosts | tool | runs | median ms | min ms | vs parallel-ssh |');
  console.log('|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.hosts} | ${r.name} | ${r.runs} | ${r.median.toFixed(
        0,
      )} | ${r.min.toFixed(0)} | ${r.ratio.toFixed(2)}x |`,
    );
  }
}
