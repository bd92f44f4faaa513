// Starting a backend for a benchmark: one way for every bench that starts one.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `scripts/lib/run-backend.sh ENTRY --config ../../app-config.yaml --config FILE…` from the
 * repository root, in its own process group (`process.kill(-child.pid, …)` stops all of it;
 * run-backend.sh execs node, so the group leader is the backend).
 */
export function spawnRunBackend({
  root,
  entry = 'src/index',
  configs,
  stdio = 'ignore',
  env = process.env,
}) {
  return spawn(
    'bash',
    [
      path.join(root, 'scripts/lib/run-backend.sh'),
      entry,
      '--config',
      '../../app-config.yaml',
      ...configs.flatMap(file => ['--config', file]),
    ],
    { cwd: root, detached: true, stdio, env },
  );
}

/**
 * The start-up benches' config, written to DATADIR/bench.yaml: the port, a fresh SQLite
 * directory in DATADIR, guest and opsdeck sign-in. Returns its path.
 */
export function writeStartupConfig(dataDir, port) {
  const config = path.join(dataDir, 'bench.yaml');
  fs.writeFileSync(
    config,
    [
      `app: { baseUrl: "http://localhost:${port}" }`,
      'backend:',
      `  baseUrl: http://localhost:${port}`,
      `  listen: { port: ${port} }`,
      `  database: { client: better-sqlite3, connection: { directory: "${dataDir}/sqlite" } }`,
      'auth: { providers: { guest: {}, opsdeck: {} } }',
    ].join('\n'),
  );
  return config;
}
