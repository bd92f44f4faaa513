import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { generated } from '../testUtils/reports';
import { startSmtpServer, TestSmtpServer } from '../testUtils/smtp';
import { DatabaseReportStore } from '../database/DatabaseReportStore';
import { Recipient } from '../model';
import { ReportSender, STALE_CLAIM_MS } from './ReportSender';
import { smtpTransport } from './smtp';

// A send killed (SIGKILL, crashPoint) at each of its phases, then resumed by
// another process after the claim went stale: nobody gets the report twice.
jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
let smtp: TestSmtpServer;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-report-crash-'));
const opened: Knex[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
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

const people: Recipient[] = [
  { userRef: 'user:default/alice', email: 'alice@opsdeck.example' },
  { userRef: 'user:default/bob', email: 'bob@opsdeck.example' },
  { userRef: 'user:default/carol', email: 'carol@opsdeck.example' },
];

const transportConfig = () => ({
  host: '127.0.0.1',
  port: smtp.port,
  secure: false,
  requireTls: false,
  from: 'opsdeck@opsdeck.example',
});

/** Runs ReportSender.send in a child process (through the TypeScript source). */
function sendInChild(
  connection: unknown,
  reportId: number,
  crashPoint: string,
): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const src = path.resolve(__dirname, '..');
  const script = `
    require('@backstage/cli/config/nodeTransform.cjs');
    const knex = require('knex')(JSON.parse(process.env.CRASH_DB));
    const { DatabaseReportStore } = require(${JSON.stringify(
      `${src}/database/DatabaseReportStore.ts`,
    )});
    const { ReportSender } = require(${JSON.stringify(
      `${src}/send/ReportSender.ts`,
    )});
    const { smtpTransport } = require(${JSON.stringify(`${src}/send/smtp.ts`)});
    const quiet = { info() {}, warn() {}, error() {}, debug() {}, child() { return quiet; } };
    new ReportSender({
      store: new DatabaseReportStore(knex),
      transport: smtpTransport(JSON.parse(process.env.CRASH_SMTP)),
      recipients: async () => JSON.parse(process.env.CRASH_RECIPIENTS),
      baseUrl: 'http://portal.example',
      logger: quiet,
    }).send(Number(process.env.CRASH_REPORT)).then(async out => {
      process.stdout.write(JSON.stringify(out));
      await knex.destroy();
    });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: {
        PATH: process.env.PATH,
        OPSDECK_CRASH_POINT: crashPoint,
        CRASH_DB: JSON.stringify(connection),
        CRASH_SMTP: JSON.stringify(transportConfig()),
        CRASH_RECIPIENTS: JSON.stringify(people),
        CRASH_REPORT: String(reportId),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stdout, stderr }));
  });
}

describe.each(databases.eachSupportedId())(
  'report send crash points (%s)',
  id => {
    async function setup() {
      const knex = await openDatabase(id);
      const store = await DatabaseReportStore.create({
        database: mockServices.database({ knex }),
      });
      const reportId = (await store.insert(
        generated('org', '2026-03-02', { 'jobs.failed': 2 }),
        {
          createdAt: new Date(),
          sendAt: new Date(Date.now() - 1000),
        },
      ))!;
      const config = knex.client.config;

      const connection = {
        client: config.client,
        connection: config.connection,
        useNullAsDefault: true,
      };
      // the replica that resumes
      const resumer = new ReportSender({
        store,
        transport: smtpTransport(transportConfig()),
        recipients: async () => people,
        baseUrl: 'http://portal.example',
        logger: mockServices.logger.mock(),
      });
      // the crashed one's claim went stale (written, not waited for: the
      // claim's age is judged by the database's clock)
      const staleClaim = () =>
        knex('reports')
          .where('id', reportId)
          .update({
            claimed_at: knex.raw('claimed_at - ?', [STALE_CLAIM_MS + 60_000]),
          });
      return { store, reportId, connection, resumer, staleClaim };
    }

    it('after a crash between a mail and its record: that mail is not sent again', async () => {
      smtp.received.length = 0;
      const { store, reportId, connection, resumer, staleClaim } =
        await setup();
      const child = await sendInChild(
        connection,
        reportId,
        'report.send.mailed#1',
      );
      expect([child.signal, child.stdout, child.stderr.slice(0, 1000)]).toEqual(
        ['SIGKILL', '', expect.anything()],
      );
      expect(child.stderr).toContain(
        'opsdeck crash point reached: report.send.mailed#1',
      );
      expect(smtp.received).toHaveLength(1);
      const first = smtp.received[0].to[0];

      await staleClaim();
      const outcome = await resumer.send(reportId);
      expect(outcome).toMatchObject({
        claimed: true,
        sent: 2,
        uncertain: 1,
        done: true,
      });
      for (const p of people) expect(smtp.to(p.email)).toHaveLength(1);
      expect(
        (await store.deliveries(reportId)).find(d => d.recipient === first),
      ).toMatchObject({
        state: 'uncertain',
      });
      expect((await store.get(reportId))!.state).toBe('sent');
    });

    it('after a crash once the mail was rendered: everyone gets that same mail once', async () => {
      smtp.received.length = 0;
      const { store, reportId, connection, resumer, staleClaim } =
        await setup();
      const child = await sendInChild(
        connection,
        reportId,
        'report.send.rendered',
      );
      expect([child.signal, child.stdout, child.stderr.slice(0, 1000)]).toEqual(
        ['SIGKILL', '', expect.anything()],
      );
      expect(smtp.received).toHaveLength(0);
      const rendered = (await store.get(reportId))!.html;
      expect(rendered).toContain('Job runs failed');

      // not before the claim is stale
      expect(
        (
          await new ReportSender({
            store,
            recipients: async () => people,
            baseUrl: 'http://portal.example',
            logger: mockServices.logger.mock(),
          }).send(reportId)
        ).claimed,
      ).toBe(false);
      // nor by a replica whose clock runs far ahead
      expect(
        (
          await new ReportSender({
            store,
            recipients: async () => people,
            baseUrl: 'http://portal.example',
            logger: mockServices.logger.mock(),
            now: () => new Date(Date.now() + STALE_CLAIM_MS + 60_000),
          }).send(reportId)
        ).claimed,
      ).toBe(false);

      await staleClaim();
      const outcome = await resumer.send(reportId);
      expect(outcome).toMatchObject({ sent: 3, uncertain: 0, done: true });
      for (const p of people) expect(smtp.to(p.email)).toHaveLength(1);
      expect((await store.get(reportId))!.html).toBe(rendered);
    });
  },
);
