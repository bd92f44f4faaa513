/*
 * The run event stream served by one replica while another executes the
 * run: everything it sends comes from the shared database.
 */
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import express from 'express';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { TestDatabases } from '@backstage/backend-test-utils';
import { knex as createKnex, Knex } from 'knex';
import {
  applyOutput,
  newExecutor,
  readEventStream,
  request,
  storeOn,
  targetHosts,
} from '../__testUtils__/jobsTestKit';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { RunExecutor } from '../execution/RunExecutor';
import { RunStreamer } from './runStream';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const extraKnex: Knex[] = [];
let sshd: SshdHosts;
const pools: SshConnectionPool[] = [];
const executors: RunExecutor[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(1);
});
afterAll(async () => {
  for (const e of executors) e.abandon();
  await Promise.all(pools.map(p => p.close()));
  await Promise.all(extraKnex.map(k => k.destroy()));
  await sshd?.stop();
});

it.each(databases.eachSupportedId())(
  'streams output of a run executing on another replica before the run ends (%s)',
  async id => {
    const knex = await databases.init(id);
    const store = await storeOn(knex);
    // on PostgreSQL, replica b has its own connection pool
    let storeB = store;
    if (id === 'POSTGRES_15') {
      const knexB = createKnex(knex.client.config);
      extraKnex.push(knexB);
      storeB = new DatabaseJobStore(knexB);
    }
    const runner = newExecutor(store, sshd, pools, { runnerId: 'replica-a' });
    // replica b runs nothing; its streamer can only read the database
    const idle = newExecutor(storeB, sshd, pools, { runnerId: 'replica-b' });
    executors.push(runner, idle);
    const streamer = new RunStreamer({
      store: storeB,
      executor: idle,
      pollMs: 100,
    });
    const app = express();
    app.get('/runs/:id/events', (req, res) => {
      const closed = new AbortController();
      res.on('close', () => closed.abort());
      streamer.stream(req.params.id, res, { signal: closed.signal });
    });
    const server = http.createServer(app);
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    try {
      const run = await runner.start(
        await request(
          store,
          targetHosts(sshd),
          'echo first; sleep 3; echo second',
        ),
      );
      const texts = new Map<string, string>();
      let runStatusWhenFirstSeen: string | undefined;
      const { port } = server.address() as AddressInfo;
      const events = await readEventStream(
        `http://127.0.0.1:${port}/runs/${run.id}/events`,
        {},
        async e => {
          applyOutput(texts, e);
          if (
            runStatusWhenFirstSeen === undefined &&
            texts.get('host-0/stdout')?.includes('first')
          ) {
            runStatusWhenFirstSeen = (await store.getRun(run.id))!.status;
          }
        },
      );
      // "first" arrived while the run was still running, "second" later
      expect(runStatusWhenFirstSeen).toBe('running');
      expect(texts.get('host-0/stdout')).toBe('first\nsecond\n');
      const kinds = events.map(e => e.event);
      expect(kinds.at(-1)).toBe('end');
      const lastRun = events.filter(e => e.event === 'run').at(-1)!;
      expect(lastRun.data.status).toBe('succeeded');
      const hostStates = events
        .filter(e => e.event === 'host')
        .map(e => e.data.status);
      expect(hostStates).toContain('running');
      expect(hostStates.at(-1)).toBe('succeeded');
      // the first output came before the run's final state
      const firstOut = events.findIndex(
        e => e.event === 'output' && e.data.text.includes('first'),
      );
      expect(firstOut).toBeLessThan(events.indexOf(lastRun));
    } finally {
      await new Promise(r => server.close(r));
    }
  },
);
