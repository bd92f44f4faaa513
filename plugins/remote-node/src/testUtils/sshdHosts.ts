import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

const run = promisify(execFile);

/** scripts/services/sshd-hosts.sh of the repository. */
export const SSHD_HOSTS_SCRIPT = resolvePackagePath(
  '@opsdeck/plugin-remote-node',
  '../../scripts/services/sshd-hosts.sh',
);

export type SshdHost = {
  host: string;
  port: number;
  hostKeyFingerprint: string;
  log: string;
};

export type SshdHosts = {
  user: string;
  privateKey: string;
  stateDir: string;
  hosts: SshdHost[];
  /** Private key text of the test user. */
  privateKeyText: string;
  basePort: number;
  stop(): Promise<void>;
  /** Gives the host on `port` a new host key; returns the new fingerprint. */
  rekey(port: number): Promise<string>;
};

function portFree(port: number): Promise<boolean> {
  return new Promise(res => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** A range of `n` free ports below the kernel's ephemeral range (so outgoing connections do not take them). */
export async function findFreePortRange(n: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 23000 + Math.floor(Math.random() * (32000 - 23000 - n));
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error(`No ${n} consecutive free ports found`);
}

/** Starts `n` real OpenSSH servers through the repository's script (fails when sshd is missing). */
export async function startSshdHosts(n: number): Promise<SshdHosts> {
  const basePort = await findFreePortRange(n);
  const { stdout } = await run(
    'bash',
    [SSHD_HOSTS_SCRIPT, 'start', String(n), String(basePort)],
    { timeout: 120_000 },
  );
  const info = JSON.parse(stdout);
  return {
    ...info,
    basePort,
    privateKeyText: readFileSync(info.privateKey, 'utf8'),
    async stop() {
      await run('bash', [
        SSHD_HOSTS_SCRIPT,
        'stop',
        String(n),
        String(basePort),
      ]);
    },
    async rekey(port: number) {
      const r = await run('bash', [SSHD_HOSTS_SCRIPT, 'rekey', String(port)]);
      return JSON.parse(r.stdout).hosts[0].hostKeyFingerprint;
    },
  };
}

/** Waits until `check` returns true (polling); throws after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise(r => setTimeout(r, 50));
  }
}
