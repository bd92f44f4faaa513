import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  eventually,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/src/__testUtils__/sshdHosts';
import { Knex } from 'knex';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { RunExecutor, RunRequest } from '../execution/RunExecutor';
import { DEFAULT_RUN_OPTIONS, JobParameter, TargetHost } from '../model';

export { eventually };

/** A password credential of the fake vault, for secret parameters. */
export const TEST_SECRET = 'pa$$ w0rd \'"`$(id)`';

/** Vault reads for tests: the sshd test key and one password. */
export function testSecrets(sshd: SshdHosts) {
  return async (name: string) => {
    if (name === 'test-ssh') {
      return {
        type: 'ssh-key' as const,
        username: sshd.user,
        privateKey: sshd.privateKeyText,
      };
    }
    if (name === 'api-token') {
      return { type: 'password' as const, password: TEST_SECRET };
    }
    throw new Error(`No credential named '${name}'`);
  };
}

export function targetHosts(sshd: SshdHosts): TargetHost[] {
  return sshd.hosts.map((h, i) => ({
    name: `host-${i}`,
    entityRef: `resource:default/host-${i}`,
    address: h.host,
    port: h.port,
    loginUser: sshd.user,
    credential: 'test-ssh',
  }));
}

export async function storeOn(knex: Knex) {
  return DatabaseJobStore.create({ database: mockServices.database({ knex }) });
}

export function newExecutor(
  store: DatabaseJobStore,
  sshd: SshdHosts,
  pools: SshConnectionPool[],
  extra: Partial<ConstructorParameters<typeof RunExecutor>[0]> = {},
) {
  const pool = new SshConnectionPool();
  pools.push(pool);
  return new RunExecutor({
    store,
    ssh: pool,
    getSecret: testSecrets(sshd),
    logger: mockServices.logger.mock(),
    heartbeatMs: 200,
    flushMs: 100,
    ...extra,
  });
}

/** A run request for `script` (sh) with the given parameters. */
export async function request(
  store: DatabaseJobStore,
  hosts: TargetHost[],
  script: string,
  options: {
    language?: 'sh' | 'bash' | 'python';
    parameters?: JobParameter[];
    params?: Record<string, string>;
    run?: Partial<RunRequest['options']>;
  } = {},
): Promise<RunRequest> {
  const job = await store.createJob(
    {
      name: `job-${Math.random().toString(36).slice(2, 10)}`,
      description: '',
      language: options.language ?? 'sh',
      script,
      parameters: options.parameters ?? [],
      notifyOnFailure: true,
    },
    'user:default/tester',
  );
  return {
    job,
    hosts,
    selector: { names: hosts.map(h => h.name) },
    params: options.params ?? {},
    options: { ...DEFAULT_RUN_OPTIONS, ...options.run },
    trigger: 'manual',
    triggeredBy: 'user:default/tester',
  };
}

export const sqliteDatabases = () =>
  TestDatabases.create({ ids: ['SQLITE_3'] });
