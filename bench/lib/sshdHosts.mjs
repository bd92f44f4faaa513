// Real OpenSSH servers on 127.0.0.1 for the benchmarks (scripts/services/sshd-hosts.sh, root).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../scripts/services/sshd-hosts.sh',
);

/**
 * Starts `count` sshd hosts on ports basePort...; resolves to the script's JSON (user, privateKey
 * file, hosts [{host, port}]) and `stop()`, which stops exactly that range. `env` is added to the
 * script's environment (e.g. OPSDECK_SSHD, see sshd-own-dir.sh).
 */
export async function startSshdHosts(count, basePort, env = {}) {
  const options = { env: { ...process.env, ...env } };
  const { stdout } = await run(
    'bash',
    [script, 'start', String(count), String(basePort)],
    options,
  );
  return {
    info: JSON.parse(stdout),
    stop: () =>
      run('bash', [script, 'stop', String(count), String(basePort)], options),
  };
}

/** Stops the sshd hosts on ports basePort... (count of them), whatever started them. */
export function stopSshdHosts(count, basePort) {
  return run('bash', [script, 'stop', String(count), String(basePort)]);
}
