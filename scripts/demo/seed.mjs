#!/usr/bin/env node
// Demo mode only (scripts/start.sh): signs in as alice, stores the demo credentials in the
// vault through its API (audited as alice; saving a credential collects the facts of the
// hosts that use it), collects every host once more, printing one line per host, and grants
// the ops group terminals on the hosts it owns (bastion; audited as alice).
//   node scripts/demo/seed.mjs http://localhost:7007 <sshd.json>
import { readFileSync } from 'node:fs';

const [base, sshdJson] = process.argv.slice(2);
if (process.env.NODE_ENV === 'production') {
  console.error(
    'opsdeck demo: refusing to store demo credentials with NODE_ENV=production',
  );
  process.exit(1);
}
const sshd = JSON.parse(readFileSync(sshdJson, 'utf8'));
const DB_PASSWORD = 'opsdeck-test-pw';
const READ_PASSWORD = 'opsdeck-read-pw';

async function call(path, init = {}) {
  const res = await fetch(base + path, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
}

async function token(username) {
  const login = await call('/api/local-auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'opsdeck-demo' }),
  });
  if (login.status !== 200)
    throw new Error(`sign-in as ${username}: HTTP ${login.status}`);
  const cookie = login.res.headers
    .getSetCookie()
    .map(c => c.split(';')[0])
    .join('; ');
  const refresh = await call('/api/auth/opsdeck/refresh', {
    headers: { cookie, 'x-requested-with': 'XMLHttpRequest' },
  });
  if (refresh.status !== 200)
    throw new Error(`token of ${username}: HTTP ${refresh.status}`);
  return refresh.body.backstageIdentity.token;
}

const headers = {
  authorization: `Bearer ${await token('alice')}`,
  'content-type': 'application/json',
};

// The hosts reach the CMDB from the catalog (cmdb-catalog-sync, 20 s after start).
const wanted = [
  'pay-app-01',
  'pay-app-02',
  'web-01',
  'web-02',
  'gw-01',
  'build-01',
];
for (let i = 0; ; i++) {
  const hosts = await call('/api/cmdb/hosts?limit=100', { headers });
  const names = new Set((hosts.body?.items ?? []).map(h => h.name));
  if (wanted.every(n => names.has(n))) break;
  if (i > 180)
    throw new Error('the demo hosts did not reach the CMDB in 3 minutes');
  await new Promise(r => setTimeout(r, 1000));
}

const credentials = [
  {
    name: 'ops-ssh',
    type: 'ssh-key',
    username: sshd.user,
    owner: 'ops',
    allowedUses: ['ssh-login'],
    description: 'Demo hosts (sshd on 127.0.0.1:22401-22406)',
    secret: readFileSync(sshd.privateKey, 'utf8'),
  },
  {
    name: 'pay-db-admin',
    username: 'opsdeck',
    secret: DB_PASSWORD,
    allowedUses: ['db-admin', 'db-change'],
  },
  {
    name: 'pay-db-read',
    username: 'opsdeck_read',
    secret: READ_PASSWORD,
    allowedUses: ['db-read'],
  },
  {
    name: 'shop-db-admin',
    username: 'opsdeck',
    secret: DB_PASSWORD,
    allowedUses: ['db-admin', 'db-change'],
  },
  {
    name: 'shop-db-read',
    username: 'opsdeck_read',
    secret: READ_PASSWORD,
    allowedUses: ['db-read'],
  },
  {
    name: 'session-cache',
    username: 'default',
    secret: DB_PASSWORD,
    owner: 'ops',
    allowedUses: ['db-admin', 'db-change', 'db-read'],
  },
];
for (const c of credentials) {
  const body = {
    type: 'password',
    owner: 'dba',
    description: `Demo login (${c.username})`,
    ...c,
  };
  const created = await call('/api/vault/credentials', {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  if (created.status === 409) {
    // kept from an earlier start: the demo servers were set up again, so store the secret again
    const replaced = await call(`/api/vault/credentials/${c.name}/secret`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ secret: c.secret }),
    });
    if (replaced.status !== 200)
      throw new Error(`replace ${c.name}: HTTP ${replaced.status}`);
  } else if (created.status !== 201) {
    throw new Error(
      `store ${c.name}: HTTP ${created.status} ${JSON.stringify(created.body)}`,
    );
  }
  console.log(`  vault: ${c.name} (${body.type}, login ${c.username})`);
}

async function collectAll() {
  const r = await call('/api/cmdb/collect', {
    method: 'POST',
    headers,
    body: '{}',
  });
  if (r.status !== 200) throw new Error(`collect: HTTP ${r.status}`);
  return r.body.items;
}

// First contact: each demo host offers its key, which waits for an admin. The demo knows
// the keys it generated (sshd.json), so alice accepts exactly those fingerprints.
let items = await collectAll();
const pending = items.filter(i => i.hostKeyPending);
if (pending.length > 0) {
  const hosts = await call('/api/cmdb/hosts?limit=100', { headers });
  for (const item of pending) {
    const host = hosts.body.items.find(h => h.name === item.name);
    const served = sshd.hosts.find(h => h.port === host?.port);
    if (!served) continue;
    const accepted = await call(
      `/api/cmdb/hosts/${item.name}/host-key/accept`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify({ fingerprint: served.hostKeyFingerprint }),
      },
    );
    if (accepted.status !== 200) {
      throw new Error(
        `accept the host key of ${item.name}: HTTP ${accepted.status}`,
      );
    }
  }
  items = await collectAll();
}
for (const item of items) {
  console.log(
    `  facts: ${item.name} ${
      item.reachable ? 'reachable' : `unreachable (${item.error})`
    }`,
  );
}

// The bastion opens a terminal only under an access grant: without one, bob (ops) would find
// "My assets" empty. A grant a day at most (the idempotency key), for 30 days; prod hosts
// still ask for two-factor set-up first, as the bastion always does for prod.
const today = new Date().toISOString().slice(0, 10);
const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
const grant = await call('/api/bastion/grants', {
  method: 'POST',
  headers,
  body: JSON.stringify({
    subject: 'group:default/ops',
    selector: { owner: 'group:default/ops' },
    loginUser: sshd.user,
    expiresAt,
    reason: 'demo: the ops group opens terminals on the hosts it owns',
    idempotencyKey: `demo-ops-terminals-${today}`,
  }),
});
if (grant.status !== 201 && grant.status !== 200) {
  throw new Error(`bastion grant for ops: HTTP ${grant.status}`);
}
console.log(
  `  bastion: group ops opens terminals as ${
    sshd.user
  } on its hosts until ${grant.body.expiresAt.slice(0, 10)}`,
);
