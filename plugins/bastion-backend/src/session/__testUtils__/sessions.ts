/* Shared by the session tests: a recording client, test config, a manager on a test database. */
import type { AuditorService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { selectorMatches } from '@opsdeck/plugin-cmdb-common';
import type { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import type { SshdHosts } from '@opsdeck/plugin-remote-node/testUtils';
import type { Knex } from 'knex';
import type { BastionConfig } from '../../config';
import type {
  BastionStore,
  Grant,
  GrantSelector,
} from '../../database/BastionStore';
import { DatabaseBastionStore } from '../../database/DatabaseBastionStore';
import { MfaService } from '../../mfa/MfaService';
import { MfaStore } from '../../mfa/MfaStore';
import type { BastionHost } from '../hosts';
import type { ServerMessage, SessionClient } from '../protocol';
import { SessionManager } from '../SessionManager';

/** Polls until `test` holds (at most `timeoutMs`), instead of sleeping a fixed time. */
export async function until(
  test: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** A client that keeps everything it was sent. */
export class RecordingClient implements SessionClient {
  messages: ServerMessage[] = [];
  closed = false;
  private waiters: Array<() => void> = [];
  send(m: ServerMessage) {
    this.messages.push(m);
    for (const w of this.waiters.splice(0)) w();
  }
  close() {
    this.closed = true;
  }
  get output() {
    return this.messages.map(m => (m.type === 'output' ? m.data : '')).join('');
  }
  async waitFor(test: () => boolean, what: string, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${what}; output: ${this.output}`,
        );
      }
      await new Promise<void>(resolve => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
}

/** Bastion settings for tests: long limits, MFA only for prod. */
export function testConfig(
  overrides: Partial<BastionConfig> & Pick<BastionConfig, 'recordingsDir'>,
): BastionConfig {
  return {
    idleTimeoutSeconds: 900,
    maxSessionSeconds: 3600,
    grantCheckSeconds: 3600,
    instanceId: 'test-instance',
    instanceRun: 'run-1',
    reviewTimeoutSeconds: 300,
    execAudit: [],
    execAuditCollectSeconds: 3600,
    heartbeatSeconds: 10,
    staleSeconds: 30,
    mfa: {
      requiredEnvironments: ['prod'],
      windowMinutes: 15,
      key: Buffer.alloc(32, 7),
      maxFailures: 5,
      lockMinutes: 5,
    },
    ...overrides,
  };
}

/** A catalog host on the test sshd. */
export function testHost(
  sshd: SshdHosts,
  overrides: Partial<BastionHost> = {},
): BastionHost {
  return {
    name: 'app-01',
    entityRef: 'resource:default/app-01',
    address: sshd.hosts[0].host,
    port: sshd.hosts[0].port,
    environment: 'staging',
    owner: 'group:default/ops',
    system: 'system:default/payments',
    tags: ['java'],
    ...overrides,
  };
}

/** One backend instance's store and session manager on a test database. */
export async function createTestManager(options: {
  knex: Knex;
  config: BastionConfig;
  hosts: BastionHost[];
  sshd: SshdHosts;
  pool: SshConnectionPool;
  /** Lets a test change what the manager sees of the store. */
  wrapStore?: (store: BastionStore) => BastionStore;
  auditor?: AuditorService;
  /** Exec-audit logins log in with the sshd test key as the credential's name's user. */
  auditCredentials?: boolean;
}) {
  const { config, sshd } = options;
  const store = await DatabaseBastionStore.create({
    database: mockServices.database({ knex: options.knex }),
  });
  const hosts = new Map(options.hosts.map(h => [h.name, h]));
  const manager = new SessionManager({
    store: options.wrapStore?.(store) ?? store,
    ssh: options.pool,
    hosts: {
      getHost: async name => hosts.get(name),
      resolveHosts: async selector =>
        [...hosts.values()].filter(h => selectorMatches(selector, h)),
    },
    credentials: async (_h, loginUser) => ({
      username: loginUser,
      privateKey: sshd.privateKeyText,
    }),
    mfa: new MfaService(
      new MfaStore(options.knex),
      config.mfa,
      async () => true,
    ),
    config,
    logger: mockServices.logger.mock(),
    auditor: options.auditor,
    auditCredentials: options.auditCredentials
      ? async (_name, loginUser) => ({
          username: loginUser ?? 'root',
          privateKey: sshd.privateKeyText,
        })
      : undefined,
  });
  return { store, manager };
}

/** A grant for `subject` on the selected hosts as the sshd user, created by alice. */
export function grantOn(
  store: BastionStore,
  sshd: SshdHosts,
  selector: GrantSelector,
  options: { subject?: string; expiresInMs?: number } = {},
): Promise<Grant> {
  return store.createGrant({
    subject: options.subject ?? 'user:default/frank',
    selector,
    loginUser: sshd.user,
    expiresAt: new Date(
      Date.now() + (options.expiresInMs ?? 60_000),
    ).toISOString(),
    createdBy: 'user:default/alice',
  });
}
