/*
 * Many viewers of one run on a replica that does not execute it: they share
 * one database reader and each still gets the whole output.
 */
import { SshConnectionPool } from '@opsdeck/plugin-remote-node';
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import express from 'express';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { knex as createKnex, Knex } from 'knex';
import {
  applyOutput,
  eventually,
  newExecutor,
  request,
  SseEvent,
  storeOn,
  targetHosts,
} from '../__testUtils__/jobsTestKit';
import { DatabaseJobStore } from '../database/DatabaseJobStore';
import { JobStore } from '../database/JobStore';
import { RunExecutor } from '../execution/RunExecutor';
import { RunStreamer } from './runStream';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const extraKnex: Knex[] = [];
let sshd: SshdHosts;
let gateDir: string;
const pools: SshConnectionPool[] = [];
const executors: RunExecutor[] = [];
const servers: http.Server[] = [];

beforeAll(async () => {
  sshd = await startSshdHosts(1);
  gateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-stream-gate-'));
  fs.chmodSync(gateDir, 0o755); // the sshd hosts' user looks for the gates
});
afterAll(async () => {
  for (const e of executors) e.abandon();
  await Promise.all(servers.map(s => new Promise(r => s.close(r))));
  await Promise.all(pools.map(p => p.close()));
  await Promise.all(extraKnex.map(k => k.destroy()));
  await sshd?.stop();
  fs.rmSync(gateDir, { recursive: true, force: true });
});

/** Counts every call the streamer makes to the store. */
function countingStore(store: JobStore) {
  const calls = new Map<string, number>();
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  const total = () => [...calls.values()].reduce((a, b) => a + b, 0);
  return { store: counted, calls, total };
}

/** Two replicas: `a` executes runs, `b` only serves their event streams. */
async function twoReplicas(id: TestDatabaseId, pollMs: number) {
  const knex = await databases.init(id);
  const store = await storeOn(knex);
  let storeB = store;
  if (id === 'POSTGRES_15') {
    const knexB = createKnex(knex.client.config);
    extraKnex.push(knexB);
    storeB = new DatabaseJobStore(knexB);
  }
  const runner = newExecutor(store, sshd, pools, { runnerId: 'replica-a' });
  const idle = newExecutor(storeB, sshd, pools, { runnerId: 'replica-b' });
  executors.push(runner, idle);
  const counting = countingStore(storeB);
  const streamer = new RunStreamer({
    store: counting.store,
    executor: idle,
    pollMs,
  });
  const app = express();
  app.get('/runs/:id/events', (req, res) => {
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    streamer.stream(req.params.id, res, {
      signal: closed.signal,
      host: req.query.host as string | undefined,
    });
  });
  const server = http.createServer(app);
  servers.push(server);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { store, runner, idle, streamer, counting, port };
}

/** A script that prints `first`, waits for a file, then prints `second`. */
function gatedScript(name: string) {
  const gate = path.join(gateDir, name);
  return {
    script: `echo first; while [ ! -e '${gate}' ]; do sleep 0.1; done; echo second`,
    open: () => fs.writeFileSync(gate, ''),
  };
}

type Viewer = {
  events: SseEvent[];
  texts: Map<string, string>;
  ended: Promise<void>;
  leave: () => void;
};

/** An SSE client that can leave before the end. */
function view(url: string): Viewer {
  const events: SseEvent[] = [];
  const texts = new Map<string, string>();
  const controller = new AbortController();
  const ended = (async () => {
    try {
      const response = await fetch(url, { signal: controller.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; ) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf('\n\n');
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (!event || !data) continue;
          const e = { event, data: JSON.parse(data) };
          events.push(e);
          applyOutput(texts, e);
        }
      }
    } catch (e) {
      if (!controller.signal.aborted) throw e;
    }
  })();
  return { events, texts, ended, leave: () => controller.abort() };
}

const sawFirst = (v: Viewer) =>
  v.texts.get('host-0/stdout')?.includes('first') ?? false;

it.each(databases.eachSupportedId())(
  'gives two, then many viewers of one run identical and complete output (%s)',
  async id => {
    const { store, runner, streamer, port } = await twoReplicas(id, 100);
    const gate = gatedScript(`many-${id}`);
    const run = await runner.start(
      await request(store, targetHosts(sshd), gate.script),
    );
    const url = `http://127.0.0.1:${port}/runs/${run.id}/events`;
    const early = [view(url), view(url)];
    await eventually(() => early.every(sawFirst));
    // late joiners: `first` was printed before they connected
    const late = Array.from({ length: 18 }, () => view(url));
    await eventually(() => late.every(sawFirst));
    expect(streamer.watchedRuns()).toEqual([run.id]);
    // a viewer of one host only, as the run page does
    const oneHost = view(`${url}?host=host-0`);
    gate.open();
    const viewers = [...early, ...late, oneHost];
    await Promise.all(viewers.map(v => v.ended));

    for (const v of viewers) {
      expect(v.texts.get('host-0/stdout')).toBe('first\nsecond\n');
      expect(v.events.at(-1)!.event).toBe('end');
      expect(v.events.filter(e => e.event === 'run').at(-1)!.data.status).toBe(
        'succeeded',
      );
    }
    // the late joiner's first output event holds what was printed before
    const lateOutput = late[0].events.find(e => e.event === 'output')!;
    expect(lateOutput.data).toMatchObject({ offset: 0, host: 'host-0' });
    expect(lateOutput.data.text).toMatch(/^first\n/);
    // everyone ends with the same run and host states
    const finalStates = (v: Viewer) =>
      JSON.stringify([
        v.events.filter(e => e.event === 'run').at(-1),
        v.events.filter(e => e.event === 'host').at(-1),
        Object.fromEntries(v.texts),
      ]);
    expect(new Set(viewers.map(finalStates)).size).toBe(1);
    // the run is over: its reader is gone
    expect(streamer.watchedRuns()).toEqual([]);
  },
);

it('reads the database once for 1 or 20 viewers, and stops reading when the last leaves', async () => {
  // reads happen when the first viewer joins and then every hour: the
  // count shows how many readers the viewers caused
  const { store, runner, idle, streamer, counting, port } = await twoReplicas(
    'SQLITE_3',
    3_600_000,
  );
  const gate = gatedScript('count');
  const run = await runner.start(
    await request(store, targetHosts(sshd), gate.script),
  );
  await eventually(
    async () =>
      (await store.getRunHost(run.id, 'host-0'))?.stdout.includes('first') ??
      false,
  );
  const changeListeners = idle.events.listenerCount('change');
  const url = `http://127.0.0.1:${port}/runs/${run.id}/events`;
  const first = view(url);
  await eventually(() => sawFirst(first));
  const readsForOne = counting.total();
  expect(counting.calls.get('getRun')).toBe(1);
  expect(idle.events.listenerCount('change')).toBe(changeListeners + 1);

  const more = Array.from({ length: 19 }, () => view(url));
  await eventually(() => more.every(sawFirst));
  expect(counting.total()).toBe(readsForOne);
  expect(counting.calls.get('getRun')).toBe(1);

  // all leave: the reader stops and no longer listens to the executor
  for (const v of [first, ...more]) v.leave();
  await Promise.all([first, ...more].map(v => v.ended));
  await eventually(() => streamer.watchedRuns().length === 0);
  expect(idle.events.listenerCount('change')).toBe(changeListeners);

  // a new viewer starts a new reader, which sends the whole output again
  gate.open();
  await eventually(
    async () => (await store.getRun(run.id))?.status !== 'running',
  );
  const again = view(url);
  await again.ended;
  expect(again.texts.get('host-0/stdout')).toBe('first\nsecond\n');
  expect(counting.calls.get('getRun')).toBe(2);
  expect(streamer.watchedRuns()).toEqual([]);
});
