/**
 * Starts the real backend (scripts/lib/run-backend.sh src/index) with app-config.yaml +
 * app-config.production.yaml, as README "Deploying safely" says, once without the secret
 * variables (refused) and once with proper values on the test PostgreSQL (starts, no demo data).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../../../..');
const pgUrl = new URL(
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://opsdeck:opsdeck-test-pw@127.0.0.1:55432',
);
const pgEnv = {
  POSTGRES_HOST: pgUrl.hostname,
  POSTGRES_PORT: pgUrl.port,
  POSTGRES_USER: decodeURIComponent(pgUrl.username),
  POSTGRES_PASSWORD: decodeURIComponent(pgUrl.password),
};

/** The environment without any opsdeck secret variable. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('OPSDECK_') || name.startsWith('APP_CONFIG_')) {
      delete env[name];
    }
  }
  delete env.NODE_ENV;
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function startBackend(env: NodeJS.ProcessEnv, extraConfig?: string) {
  const args = [
    path.join(root, 'scripts/lib/run-backend.sh'),
    'src/index',
    '--config',
    '../../app-config.yaml',
    '--config',
    '../../app-config.production.yaml',
  ];
  if (extraConfig) args.push('--config', extraConfig);
  const child = spawn('bash', args, {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', d => (output += d));
  child.stderr.on('data', d => (output += d));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code)),
  );
  return {
    child,
    exited,
    output: () => output,
    stop() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}

describe('the production config', () => {
  it('refuses to start without its secret variables, naming each setting', async () => {
    const backend = startBackend({ ...cleanEnv(), ...pgEnv });
    try {
      const code = await Promise.race([
        backend.exited,
        new Promise<string>(r => setTimeout(() => r('still running'), 120_000)),
      ]);
      expect(code).not.toBe(0);
      expect(code).not.toBe('still running');
      const out = backend.output();
      expect(out).toContain('opsdeck refuses to start in production');
      expect(out).toMatch(
        /opsdeck\.localAuth\.sessionSecret is a value shipped in the repository \(app-config\.yaml\)/,
      );
      expect(out).toMatch(/opsdeck\.bastion\.mfa\.key is a value shipped/);
      expect(out).toMatch(/opsdeck\.vault\.keys\[0\]\.secret is missing/);
      // Refused before any plugin started.
      expect(out).not.toMatch(/Plugin initialization started/);
    } finally {
      backend.stop();
    }
  });

  it('starts with proper values and loads no demo users or demo catalog', async () => {
    const port = await freePort();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-prod-'));
    const prefix = `opsdeck_prodtest_${randomBytes(4).toString('hex')}_`;
    const token = randomBytes(32).toString('base64url');
    const base = `http://localhost:${port}`;
    const extra = path.join(work, 'app-config.test.yaml');
    fs.writeFileSync(
      extra,
      [
        'backend:',
        `  baseUrl: ${base}`,
        `  listen: '127.0.0.1:${port}'`,
        `  database: { prefix: ${prefix} }`,
        '  auth:',
        '    externalAccess:',
        `      - { type: static, options: { token: ${token}, subject: prod-test } }`,
        'opsdeck:',
        `  bastion: { recordingsDir: ${path.join(work, 'recordings')} }`,
        `  files: { storage: { directory: ${path.join(work, 'files')} } }`,
        '',
      ].join('\n'),
    );
    const key = () => randomBytes(32).toString('base64');
    const backend = startBackend(
      {
        ...cleanEnv(),
        ...pgEnv,
        OPSDECK_BASE_URL: base,
        OPSDECK_SESSION_SECRET: randomBytes(32).toString('hex'),
        OPSDECK_BASTION_MFA_KEY: key(),
        OPSDECK_VAULT_KEY: key(),
      },
      extra,
    );
    const api = (route: string, init: RequestInit = {}) =>
      fetch(`${base}${route}`, {
        ...init,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          ...init.headers,
        },
      });
    try {
      let ready = false;
      for (let i = 0; i < 240 && !ready; i++) {
        if (backend.child.exitCode !== null) break;
        ready = await fetch(`${base}/.backstage/health/v1/readiness`)
          .then(r => r.ok)
          .catch(() => false);
        if (!ready) await new Promise(r => setTimeout(r, 1000));
      }
      expect({
        ready,
        log: ready ? '' : backend.output().slice(-3000),
      }).toEqual({ ready: true, log: '' });

      // No demo accounts: alice's demo password opens nothing.
      const login = await fetch(`${base}/api/local-auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'opsdeck-demo' }),
      });
      expect(login.status).toBe(401);
      const accounts = await api('/api/local-auth/accounts');
      expect(accounts.status).toBe(200);
      expect((await accounts.json()).items).toEqual([]);

      // The catalog reads opsdeck's templates, and nothing from examples/.
      let templates: Array<{ metadata: { name: string } }> = [];
      for (let i = 0; i < 120 && templates.length === 0; i++) {
        const res = await api('/api/catalog/entities?filter=kind=template');
        templates = res.ok ? await res.json() : [];
        if (templates.length === 0) await new Promise(r => setTimeout(r, 1000));
      }
      expect(templates.length).toBeGreaterThan(0);
      const all = (await (await api('/api/catalog/entities')).json()) as Array<{
        kind: string;
        metadata: { name: string };
      }>;
      const names = all.map(e => `${e.kind}:${e.metadata.name}`);
      expect(
        names.filter(n => /^(User|Group|Resource|Component|System):/.test(n)),
      ).toEqual([]);
      expect(names).not.toContain('User:alice');
    } finally {
      backend.stop();
      await backend.exited;
      const admin = new Client({ ...pgEnvClient(), database: 'postgres' });
      await admin.connect();
      try {
        const { rows } = await admin.query(
          'SELECT datname FROM pg_database WHERE datname LIKE $1',
          [`${prefix}%`],
        );
        for (const { datname } of rows) {
          await admin.query(
            `DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`,
          );
        }
      } finally {
        await admin.end();
      }
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

function pgEnvClient() {
  return {
    host: pgEnv.POSTGRES_HOST,
    port: Number(pgEnv.POSTGRES_PORT),
    user: pgEnv.POSTGRES_USER,
    password: pgEnv.POSTGRES_PASSWORD,
  };
}
