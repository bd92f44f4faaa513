/*
 * Credential policy at use, across plugins, on a real backend: the vault (policy and audit),
 * jobs, the CMDB, real OpenSSH servers (scripts/services/sshd-hosts.sh and a password-only one).
 * The attacks of issue #14 item 2: an ops user's job naming another group's secret, a host
 * registered at an attacker's address with another group's password, and a first contact that
 * would hand a password to an unknown host key.
 */
import { userPermissionsServiceFactory } from '@opsdeck/plugin-permission-backend-module-opsdeck-policy';
import {
  coreServices,
  createServiceFactory,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import cmdbPlugin, {
  cmdbHubServiceFactory,
} from '@opsdeck/plugin-cmdb-backend';
import jobsPlugin from '@opsdeck/plugin-jobs-backend';
// The SSH test servers of the SSH core (not part of its public API).
import {
  startPasswordSshd,
  startSshdHosts,
  type PasswordSshd,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import vaultPlugin, {
  vaultServiceFactory,
  vaultStoreServiceFactory,
} from '@opsdeck/plugin-vault-backend';
import { randomBytes } from 'node:crypto';
import request from 'supertest';

jest.setTimeout(300_000);

const alice = mockCredentials.user.header('user:default/alice');
const bob = mockCredentials.user.header('user:default/bob');
const MEMBERS: Record<string, string[]> = {
  'user:default/alice': ['group:default/admins', 'group:default/ops'],
  'user:default/bob': ['group:default/ops'],
  'user:default/carol': ['group:default/dba'],
};
/** Only admins may register hosts for other groups or accept host keys. */
const ADMIN_ONLY = [
  'opsdeck.cmdb.host.owner.any',
  'opsdeck.cmdb.host.hostkey.accept',
];

const dbPassword = `Db-${randomBytes(12).toString('hex')}`;
const rootPassword = `Root-${randomBytes(12).toString('hex')}`;
const opsHostPassword = `OpsPw-${randomBytes(12).toString('hex')}`;
const token = `Tok-${randomBytes(12).toString('hex')}`;

let keyHosts: SshdHosts;
let pwHost: PasswordSshd;
beforeAll(async () => {
  keyHosts = await startSshdHosts(2);
  pwHost = await startPasswordSshd();
});
afterAll(async () => {
  await keyHosts?.stop();
  await pwHost?.stop();
});

function user(name: string): Entity {
  const ref = `user:default/${name}`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: {},
    relations: MEMBERS[ref].map(targetRef => ({ type: 'memberOf', targetRef })),
  };
}

function webHost(): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'web-01', namespace: 'default' },
    spec: {
      type: 'host',
      address: keyHosts.hosts[0].host,
      port: keyHosts.hosts[0].port,
      loginUser: keyHosts.user,
      credential: 'ops-ssh',
      environment: 'test',
      owner: 'ops',
    },
  };
}

/** A root logger that keeps every line (the audit events among them). */
function capturingLogger(lines: Record<string, any>[]) {
  const make = (meta: object): LoggerService => {
    const log = (level: string) => (message: string, extra?: any) => {
      lines.push({ level, message, meta, extra });
    };
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: child => make({ ...meta, ...child }),
    };
  };
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => make({}),
  });
}

/** alice is the admin; everyone else is allowed all but ADMIN_ONLY. */
async function decide(
  requests: { permission: { name: string } }[],
  options: { credentials: { principal: { userEntityRef?: string } } },
): Promise<PolicyDecision[]> {
  return requests.map(r => ({
    result:
      ADMIN_ONLY.includes(r.permission.name) &&
      options.credentials.principal.userEntityRef !== 'user:default/alice'
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
  }));
}

async function startBackend() {
  const lines: Record<string, any>[] = [];
  const backend = await startTestBackend({
    features: [
      vaultPlugin,
      vaultStoreServiceFactory,
      vaultServiceFactory,
      // other users' rights (jobs: a schedule's owner at each tick)
      userPermissionsServiceFactory,
      jobsPlugin,
      cmdbPlugin,
      cmdbHubServiceFactory,
      catalogServiceMock.factory({
        entities: [user('alice'), user('bob'), user('carol'), webHost()],
      }),
      mockServices.permissions.mock({
        authorize: decide as any,
        // the request guard asks this for resource permissions (jobs.run)
        authorizeConditional: decide as any,
      }).factory,
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () => ({
          getUserInfo: async (credentials: any) => {
            const ref = credentials.principal.userEntityRef as string;
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, ...(MEMBERS[ref] ?? [])],
            };
          },
        }),
      }),
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({ send: async () => {} }),
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          backend: {
            database: { client: 'better-sqlite3', connection: ':memory:' },
          },
          opsdeck: {
            vault: {
              keys: [{ id: 'k1', secret: randomBytes(32).toString('base64') }],
            },
            jobs: { scheduleIntervalSeconds: 3600 },
            cmdb: {
              facts: { initialDelaySeconds: 3600, timeoutMs: 20_000 },
              // the web host (a catalog entity) is in the host index at start
              catalogSync: { initialDelaySeconds: 0 },
            },
            remoteNode: { connectTimeoutMs: 10_000 },
          },
        },
      }),
      capturingLogger(lines),
    ],
  });
  const api = request(backend.server);
  for (const body of [
    {
      name: 'ops-ssh',
      type: 'ssh-key',
      username: keyHosts.user,
      secret: keyHosts.privateKeyText,
      owner: 'ops',
      allowedUses: ['ssh-login'],
    },
    {
      name: 'db-prod-admin',
      type: 'password',
      username: 'postgres',
      secret: dbPassword,
      owner: 'dba',
      allowedUses: ['db-admin'],
    },
    {
      name: 'dba-host-root',
      type: 'password',
      username: 'root',
      secret: rootPassword,
      owner: 'dba',
      allowedUses: ['ssh-login'],
    },
    {
      name: 'ops-host-pw',
      type: 'password',
      username: pwHost.user,
      secret: opsHostPassword,
      owner: 'ops',
      allowedUses: ['ssh-login'],
    },
    {
      name: 'ops-token',
      type: 'password',
      secret: token,
      owner: 'ops',
      allowedUses: ['job-secret'],
    },
  ]) {
    const res = await api
      .post('/api/vault/credentials')
      .set('Authorization', alice)
      .send(body);
    expect(res.status).toBe(201);
  }
  /** Audit events of one id (a failure is logged with the event as meta). */
  const events = (eventId: string) =>
    lines
      .map(l => (l.extra?.eventId ? l.extra : l.meta))
      .filter(e => e?.eventId === eventId && e.status !== 'initiated');
  return { backend, api, lines, events };
}

async function runToEnd(
  api: ReturnType<typeof request>,
  params: Record<string, string>,
) {
  const started = await api
    .post('/api/jobs/runs')
    .set('Authorization', bob)
    .send({ job: 'print-token', selector: { names: ['web-01'] }, params });
  expect(started.status).toBe(201);
  for (;;) {
    const res = await api
      .get(`/api/jobs/runs/${started.body.id}`)
      .set('Authorization', bob);
    if (res.body.run.status !== 'running') return res.body;
    await new Promise(r => setTimeout(r, 200));
  }
}

/** Authentication attempts the password-only sshd logged. */
async function passwordAttempts(): Promise<string[]> {
  return (await pwHost.log())
    .split('\n')
    .filter(line => /Failed |Accepted |Postponed |Invalid user/i.test(line));
}

describe('credential policy at use (vault + jobs + cmdb, real sshd)', () => {
  it('refuses an ops job another group secret at run time, and lets an allowed one through', async () => {
    const { backend, api, lines, events } = await startBackend();
    try {
      // saving the job names no secret value: the check is at run time
      const job = await api
        .post('/api/jobs/jobs')
        .set('Authorization', bob)
        .send({
          name: 'print-token',
          language: 'sh',
          script: 'printf %s "$OPSDECK_PARAM_TOKEN" | base64',
          parameters: [{ name: 'TOKEN', type: 'secret', required: true }],
        });
      expect(job.status).toBe(201);

      const refused = await runToEnd(api, { TOKEN: 'db-prod-admin' });
      expect(refused.run.status).toBe('failed');
      expect(refused.run.error).toBe(
        "Vault credential 'db-prod-admin' may not be used for job-secret on job:" +
          `${refused.run.jobId} by user:default/bob: it may be used for db-admin only`,
      );
      expect(refused.hosts.map((h: any) => h.status)).toEqual(['skipped']);
      const denied = events('vault-secret-use-denied');
      expect(denied).toHaveLength(1);
      expect(denied[0]).toMatchObject({
        plugin: 'jobs',
        severityLevel: 'high',
        status: 'failed',
        meta: {
          credential: 'db-prod-admin',
          use: 'job-secret',
          for: {
            ref: `job:${refused.run.jobId}`,
            owner: 'group:default/ops',
            environment: 'test',
          },
          actor: 'user:default/bob',
        },
      });

      // a secret of bob's own group, allowed for jobs: it runs on the real host
      const allowed = await runToEnd(api, { TOKEN: 'ops-token' });
      expect(allowed.run.status).toBe('succeeded');

      // the admin narrows the policy; the same saved job is refused at its next run
      const narrowed = await api
        .put('/api/vault/credentials/ops-token/policy')
        .set('Authorization', alice)
        .send({ owner: 'dba', allowedUses: ['job-secret'] });
      expect(narrowed.status).toBe(200);
      const again = await runToEnd(api, { TOKEN: 'ops-token' });
      expect(again.run.status).toBe('failed');
      expect(again.run.error).toMatch(
        /it belongs to group:default\/dba, and job:.* is owned by group:default\/ops/,
      );
      const policyEvents = events('vault-credential-policy-update');
      expect(policyEvents[0]).toMatchObject({
        actor: { actorId: 'user:default/alice' },
        meta: {
          before: { owner: 'group:default/ops' },
          after: { owner: 'group:default/dba' },
        },
      });

      // no secret in any log line or audit event
      const text = JSON.stringify(lines);
      for (const secret of [dbPassword, rootPassword, token]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(Buffer.from(secret).toString('base64'));
      }
    } finally {
      await backend.stop();
    }
  });

  it('refuses a host at an attacker address with another group password; a host of one own group works', async () => {
    const { backend, api, events } = await startBackend();
    try {
      const register = (host: object) =>
        api
          .post('/api/cmdb/hosts')
          .set('Authorization', bob)
          .send({ hosts: [host], checkReachability: true });
      const attacker = {
        name: 'innocent-01',
        address: pwHost.host,
        port: pwHost.port,
        credential: 'dba-host-root',
        environment: 'prod',
      };

      // owned by bob's group: the vault refuses dba's password for it
      const asOps = await register({ ...attacker, owner: 'ops' });
      expect(asOps.body.results).toEqual([
        {
          name: 'innocent-01',
          status: 'unreachable',
          message:
            "Not added: SSH connection failed: Vault credential 'dba-host-root' may not be used for ssh-login on resource:default/innocent-01 by user:default/bob: it belongs to group:default/dba, and resource:default/innocent-01 is owned by group:default/ops",
        },
      ]);
      // claiming the owner group instead: bob is not in dba
      const asDba = await register({ ...attacker, owner: 'dba' });
      expect(asDba.body.results[0]).toMatchObject({
        status: 'invalid',
        message: expect.stringMatching(/owner dba is not one of your groups/),
      });
      // the attacker's server never saw a password (nor a login attempt)
      expect(await passwordAttempts()).toEqual([]);
      expect(events('vault-secret-use-denied')[0].meta).toMatchObject({
        credential: 'dba-host-root',
        use: 'ssh-login',
        for: {
          ref: 'resource:default/innocent-01',
          owner: 'group:default/ops',
        },
        actor: 'user:default/bob',
      });

      // bob's own host with his group's key: registered with its facts
      const own = await register({
        name: 'web-02',
        address: keyHosts.hosts[1].host,
        port: keyHosts.hosts[1].port,
        loginUser: keyHosts.user,
        credential: 'ops-ssh',
        environment: 'test',
        owner: 'ops',
      });
      expect(own.body.results).toEqual([
        {
          name: 'web-02',
          status: 'created',
          entityRef: 'resource:default/web-02',
        },
      ]);
      const host = await api
        .get('/api/cmdb/hosts/web-02')
        .set('Authorization', bob);
      expect(host.body).toMatchObject({ reachable: true });
    } finally {
      await backend.stop();
    }
  });

  it('sends a password only after an admin accepted the host key offered at first contact', async () => {
    const { backend, api, events } = await startBackend();
    try {
      const registered = await api
        .post('/api/cmdb/hosts')
        .set('Authorization', bob)
        .send({
          hosts: [
            {
              name: 'pw-host',
              address: pwHost.host,
              port: pwHost.port,
              credential: 'ops-host-pw',
              environment: 'test',
              owner: 'ops',
            },
          ],
          checkReachability: true,
        });
      expect(registered.body.results[0]).toMatchObject({
        status: 'created',
        message: expect.stringMatching(/is not accepted yet/),
      });
      expect(await passwordAttempts()).toEqual([]);

      const key = await api
        .get('/api/cmdb/hosts/pw-host/host-key')
        .set('Authorization', bob);
      expect(key.body).toEqual({
        hostId: `[${pwHost.host}]:${pwHost.port}`,
        pending: {
          fingerprint: pwHost.hostKeyFingerprint,
          offeredAt: expect.any(String),
        },
      });
      // collecting again still sends nothing
      await api
        .post('/api/cmdb/hosts/pw-host/collect')
        .set('Authorization', bob);
      expect(await passwordAttempts()).toEqual([]);

      // only an admin accepts, and only the key that was shown
      const byBob = await api
        .post('/api/cmdb/hosts/pw-host/host-key/accept')
        .set('Authorization', bob)
        .send({ fingerprint: pwHost.hostKeyFingerprint });
      expect(byBob.status).toBe(403);
      const wrong = await api
        .post('/api/cmdb/hosts/pw-host/host-key/accept')
        .set('Authorization', alice)
        .send({ fingerprint: 'SHA256:somethingElse' });
      expect(wrong.status).toBe(409);
      const accepted = await api
        .post('/api/cmdb/hosts/pw-host/host-key/accept')
        .set('Authorization', alice)
        .send({ fingerprint: pwHost.hostKeyFingerprint });
      expect(accepted.status).toBe(200);
      expect(
        events('host-key-accept').map(e => [e.status, e.actor.actorId]),
      ).toEqual([
        ['failed', 'user:default/alice'],
        ['succeeded', 'user:default/alice'],
      ]);

      // now the password goes to the host (the test user has none, so sshd refuses it)
      await api
        .post('/api/cmdb/hosts/pw-host/collect')
        .set('Authorization', bob);
      expect((await passwordAttempts()).join('\n')).toMatch(
        new RegExp(`Failed password for ${pwHost.user} from 127\\.0\\.0\\.1`),
      );
    } finally {
      await backend.stop();
    }
  });
});
