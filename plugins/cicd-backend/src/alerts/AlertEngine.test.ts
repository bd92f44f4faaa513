import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { AlertStore } from '../database/AlertStore';
import { OutboxStore } from '../database/OutboxStore';
import { AlertDelivery } from './AlertDelivery';
import { applyCicdMigrations } from '../database/migrations';
import {
  AlertEngine,
  type LocatedTop,
  type ObservedBuild,
} from './AlertEngine';

jest.setTimeout(60_000);

const LIMITS = {
  maxAttempts: 3,
  backoffMs: 1000,
  maxBackoffMs: 60_000,
  leaseMs: 60_000,
  batch: 10,
  retentionMs: 86_400_000,
};

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const target = {
  entityRef: 'component:default/web',
  owner: 'group:default/dev',
  link: '/catalog/default/component/web/ci-cd',
};
const top: LocatedTop = {
  cause: {
    id: 'typescript-compile',
    category: 'compile',
    title: { en: 'TypeScript compile error', 'zh-CN': 'TypeScript 编译错误' },
    runbook: 'https://runbooks.example.com/tsc',
    score: 80,
    lines: [12],
    tests: [],
  },
  line: {
    number: 12,
    text: "src/a.ts(3,7): error TS2322: Type 'string' is not assignable",
  },
};

describe.each(databases.eachSupportedId())('AlertEngine (%s)', databaseId => {
  async function replicas(count: number) {
    const knex = await databases.init(databaseId);
    await applyCicdMigrations(knex);
    const sent: NotificationSendOptions[] = [];
    const engines = Array.from(
      { length: count },
      () =>
        new AlertEngine({
          store: new AlertStore(knex),
          delivery: new AlertDelivery({
            store: new OutboxStore(knex),
            notifications: { send: async o => void sent.push(o) },
            logger: mockServices.logger.mock(),
            limits: LIMITS,
          }),
          mainBranches: ['main', 'master', 'trunk'],
          logger: mockServices.logger.mock(),
        }),
    );
    return { engines, sent };
  }

  const observe = (
    engine: AlertEngine,
    builds: ObservedBuild[],
    firstNotice: 'silent' | 'alert' = 'alert',
  ) =>
    engine.observe(target, 'gitlab:web', 'web', builds, {
      firstNotice,
      locate: async () => top,
    });

  it('sends a failure and a recovery once when replicas see the same builds at the same time', async () => {
    const { engines, sent } = await replicas(4);
    const failed = {
      number: 5,
      result: 'FAILURE' as const,
      branch: 'trunk',
      url: 'https://ci.example.com/5',
    };
    await Promise.all(engines.map(e => observe(e, [failed])));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      recipients: { type: 'entity', entityRef: ['group:default/dev'] },
      payload: {
        title: 'Build failed: web web #5 (trunk)',
        description: [
          'Cause: TypeScript compile error [compile]',
          "Line 12: src/a.ts(3,7): error TS2322: Type 'string' is not assignable",
          'Runbook: https://runbooks.example.com/tsc',
          'Build: https://ci.example.com/5',
        ].join('\n'),
        severity: 'high',
        link: target.link,
        topic: 'opsdeck.cicd.gitlab:web',
        scope: 'cicd:gitlab:web#5',
      },
    });
    const fixed = {
      number: 6,
      result: 'SUCCESS' as const,
      branch: 'trunk',
      url: '',
    };
    await Promise.all(engines.map(e => observe(e, [failed, fixed])));
    expect(sent.map(n => n.payload.title)).toEqual([
      'Build failed: web web #5 (trunk)',
      'Build fixed: web web #6 (trunk)',
    ]);
    // a success after a success: nothing
    await observe(engines[0], [{ ...fixed, number: 7 }]);
    expect(sent).toHaveLength(2);
  });

  it('counts a failure as flaky only when the next success built the same commit', async () => {
    const knex = await databases.init(databaseId);
    await applyCicdMigrations(knex);
    const store = new AlertStore(knex);
    const engine = new AlertEngine({
      store,
      delivery: new AlertDelivery({
        store: new OutboxStore(knex),
        notifications: { send: async () => {} },
        logger: mockServices.logger.mock(),
        limits: LIMITS,
      }),
      mainBranches: ['main'],
      logger: mockServices.logger.mock(),
    });
    const A = 'a'.repeat(40);
    const B = 'b'.repeat(40);
    const C = 'c'.repeat(40);
    const run = (jobKey: string, builds: ObservedBuild[]) =>
      engine.observe(target, jobKey, jobKey, builds, {
        firstNotice: 'alert',
        locate: async () => top,
      });
    const b = (
      number: number,
      result: 'FAILURE' | 'SUCCESS',
      commit?: string,
    ) => ({ number, result, url: '', commit } as ObservedBuild);
    // failed on A, passed on A (rebuilt, nothing changed): flaky
    await run('same', [b(1, 'FAILURE', A), b(2, 'SUCCESS', A)]);
    // failed on A, passed on B (a fix): not flaky
    await run('fixed', [b(1, 'FAILURE', A), b(2, 'SUCCESS', B)]);
    // failed on A, failed again on B, passed on B: flaky (the last failure's commit)
    await run('again', [
      b(1, 'FAILURE', A),
      b(2, 'FAILURE', B),
      b(3, 'SUCCESS', B.toUpperCase()),
    ]);
    // failed on C then passed on A: a change, not flaky
    await run('back', [b(1, 'FAILURE', C), b(2, 'SUCCESS', A)]);
    // no commit known: never counted
    await run('unknown', [b(1, 'FAILURE'), b(2, 'SUCCESS')]);
    expect(await store.flaky()).toEqual([
      { cause: 'typescript-compile', count: 2 },
    ]);
  });

  it('writes the gate row and the outbox row together: a failed outbox write leaves the build to alert again', async () => {
    const knex = await databases.init(databaseId);
    await applyCicdMigrations(knex);
    const outbox = new OutboxStore(knex);
    const enqueue = outbox.enqueue.bind(outbox);
    let failures = 1;
    outbox.enqueue = async (...args) => {
      if (failures-- > 0) throw new Error('could not extend table');
      return enqueue(...args);
    };
    const sent: NotificationSendOptions[] = [];
    const engine = new AlertEngine({
      store: new AlertStore(knex),
      delivery: new AlertDelivery({
        store: outbox,
        notifications: { send: async o => void sent.push(o) },
        logger: mockServices.logger.mock(),
        limits: LIMITS,
      }),
      mainBranches: ['main'],
      logger: mockServices.logger.mock(),
    });
    const failed = { number: 5, result: 'FAILURE' as const, url: '' };
    await expect(observe(engine, [failed])).rejects.toThrow(
      'could not extend table',
    );
    expect(sent).toEqual([]);
    // the gate row was rolled back with it: the next look alerts
    await observe(engine, [failed]);
    expect(sent.map(n => n.payload.title)).toEqual([
      'Build failed: web web #5',
    ]);
  });

  it('records a silent first notice once and alerts only what comes after it', async () => {
    const { engines, sent } = await replicas(2);
    const old = { number: 9, result: 'FAILURE' as const, url: '' };
    await Promise.all(engines.map(e => observe(e, [old], 'silent')));
    expect(sent).toEqual([]);
    await observe(
      engines[1],
      [old, { number: 10, result: 'SUCCESS', url: '' }],
      'silent',
    );
    expect(sent.map(n => n.payload.title)).toEqual([
      'Build fixed: web web #10',
    ]);
  });

  it('skips branches that are not main branches and running builds', async () => {
    const { engines, sent } = await replicas(1);
    await observe(engines[0], [
      { number: 1, result: 'FAILURE', branch: 'feature/x', url: '' },
      { number: 2, result: 'RUNNING', branch: 'main', url: '' },
    ]);
    expect(sent).toEqual([]);
  });
});
