import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { applyCicdMigrations } from '../database/migrations';
import { OutboxStore } from '../database/OutboxStore';
import { AlertDelivery } from './AlertDelivery';

// The real thing: a child process sending an alert is killed (SIGKILL, by
// opsdeck-node's crashPoint) before the sending mark or after the send; a
// replica of this process resumes after the lease.
jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const LEASE = 300_000;
const LIMITS = {
  maxAttempts: 3,
  backoffMs: 30_000,
  maxBackoffMs: 45_000,
  leaseMs: LEASE,
  batch: 10,
  retentionMs: 86_400_000,
};
const ALERT = {
  jobKey: 'main:shop/web@abc',
  number: 11,
  owner: 'group:default/dev',
  payload: {
    title: 'Build failed: shop #11',
    severity: 'high' as const,
    scope: 'cicd:main:shop/web@abc#11',
  },
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-cicd-kill-'));
const opened: Knex[] = [];
afterAll(async () => {
  await Promise.all(opened.map(k => k.destroy()));
  rmSync(tmp, { recursive: true, force: true });
});

/** The test database; SQLite in a file, so that the child process shares it. */
async function openDatabase(id: TestDatabaseId) {
  if (id !== 'SQLITE_3') return databases.init(id);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(tmp, `${opened.length}.sqlite`) },
    useNullAsDefault: true,
  });
  opened.push(knex);
  return knex;
}

/** Enqueues and sends ALERT in a child process; its sends go to `sentFile`. */
function enqueueInChild(
  connection: unknown,
  sentFile: string,
  point: string,
): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  const src = path.resolve(__dirname, '..');
  const script = `
    require('@backstage/cli/config/nodeTransform.cjs');
    const fs = require('node:fs');
    const knex = require('knex')(JSON.parse(process.env.CRASH_DB));
    const { OutboxStore } = require(${JSON.stringify(
      `${src}/database/OutboxStore.ts`,
    )});
    const { AlertDelivery } = require(${JSON.stringify(
      `${src}/alerts/AlertDelivery.ts`,
    )});
    const quiet = { info() {}, warn() {}, error() {}, debug() {}, child() { return quiet; } };
    new AlertDelivery({
      store: new OutboxStore(knex),
      notifications: {
        async send(o) {
          fs.appendFileSync(process.env.CRASH_SENT, JSON.stringify(o) + '\\n');
        },
      },
      logger: quiet,
      limits: JSON.parse(process.env.CRASH_LIMITS),
    }).enqueue(JSON.parse(process.env.CRASH_ALERT)).then(() => knex.destroy());
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: {
        PATH: process.env.PATH,
        OPSDECK_CRASH_POINT: point,
        CRASH_DB: JSON.stringify(connection),
        CRASH_SENT: sentFile,
        CRASH_LIMITS: JSON.stringify(LIMITS),
        CRASH_ALERT: JSON.stringify(ALERT),
      },
    });
    let stderr = '';
    child.stderr.on('data', d => (stderr += d));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stderr }));
  });
}

describe.each(databases.eachSupportedId())(
  'AlertDelivery, a sender killed mid-send (%s)',
  id => {
    async function killAt(point: string) {
      const knex = await openDatabase(id);
      await applyCicdMigrations(knex);
      const config = knex.client.config;
      const sentFile = path.join(tmp, `sent-${id}-${point}`);
      writeFileSync(sentFile, '');
      const child = await enqueueInChild(
        {
          client: config.client,
          connection: config.connection,
          useNullAsDefault: true,
        },
        sentFile,
        point,
      );
      expect(child.signal).toBe('SIGKILL');
      expect(child.stderr).toContain(`opsdeck crash point reached: ${point}`);
      const childSends = readFileSync(sentFile, 'utf8')
        .split('\n')
        .filter(Boolean);
      // the replica that resumes, after the child's lease
      const sent: NotificationSendOptions[] = [];
      const audited: string[] = [];
      const resumer = new AlertDelivery({
        store: new OutboxStore(knex),
        notifications: { send: async o => void sent.push(o) },
        logger: mockServices.logger.mock(),
        auditor: {
          createEvent: async (o: any) => ({
            success: async () => void audited.push(o.eventId),
            fail: async () => void audited.push(o.eventId),
          }),
        } as any,
        limits: LIMITS,
        now: () => Date.now() + LEASE + 1000,
      });
      await resumer.run();
      const row = await new OutboxStore(knex).get(ALERT.jobKey, ALERT.number);
      return { childSends, sent, audited, status: row?.status };
    }

    it('killed after the send: not sent again, unknown, audited', async () => {
      const r = await killAt('cicd.alert.handedOver');
      expect(r.childSends).toHaveLength(1);
      expect(r.sent).toEqual([]);
      expect(r.status).toBe('unknown');
      expect(r.audited).toEqual(['cicd-alert-outcome-unknown']);
    });

    it('killed before the sending mark: nothing went out, sent after the lease', async () => {
      const r = await killAt('cicd.alert.claimed');
      expect(r.childSends).toEqual([]);
      expect(r.sent.map(n => n.payload.title)).toEqual([ALERT.payload.title]);
      expect(r.status).toBe('sent');
      expect(r.audited).toEqual([]);
    });
  },
);
