import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
// The sshd test helpers of the SSH core (not part of its public API).
import {
  eventually,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { Knex } from 'knex';
import http from 'node:http';
import { AddressInfo } from 'node:net';
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
    vault: { getSecret: testSecrets(sshd) },
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

export type SseEvent = { event: string; data: any };

/**
 * Reads a Server-Sent Events response to its end, calling `onEvent` for each
 * event as it arrives (so a test can look at the state at that moment).
 */
export async function readEventStream(
  url: string,
  headers: Record<string, string>,
  onEvent: (e: SseEvent) => void | Promise<void> = () => {},
): Promise<SseEvent[]> {
  const response = await fetch(url, { headers });
  if (!response.ok || !response.body) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  expectEventStream(response.headers.get('content-type'));
  const events: SseEvent[] = [];
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (
      let cut = buffer.indexOf('\n\n');
      cut >= 0;
      cut = buffer.indexOf('\n\n')
    ) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (!data) continue; // a keep-alive comment
      const e = { event, data: JSON.parse(data) };
      events.push(e);
      await onEvent(e);
    }
  }
  return events;
}

function expectEventStream(contentType: string | null) {
  if (!contentType?.startsWith('text/event-stream')) {
    throw new Error(`Not an event stream: ${contentType}`);
  }
}

/** Applies `output` events to per host and stream texts, as a client does. */
export function applyOutput(
  texts: Map<string, string>,
  e: SseEvent,
): Map<string, string> {
  if (e.event !== 'output') return texts;
  const key = `${e.data.host}/${e.data.stream}`;
  texts.set(key, (texts.get(key) ?? '').slice(0, e.data.offset) + e.data.text);
  return texts;
}

/** A real HTTP server recording webhook POSTs; answers 200. */
export async function startReceiver() {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end();
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/jobs`,
    received,
    close: () => new Promise(r => server.close(r)),
  };
}
