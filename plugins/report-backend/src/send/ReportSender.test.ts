import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { generated } from '../testUtils/reports';
import { startSmtpServer, TestSmtpServer } from '../testUtils/smtp';
import { DatabaseReportStore } from '../database/DatabaseReportStore';
import { Recipient } from '../model';
import { ReportSender } from './ReportSender';
import { smtpTransport } from './smtp';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp.close());

const people: Recipient[] = [
  { userRef: 'user:default/alice', email: 'alice@opsdeck.example' },
  { userRef: 'user:default/bob', email: 'bob@opsdeck.example' },
];

describe.each(databases.eachSupportedId())('ReportSender (%s)', id => {
  async function setup(recipients: Recipient[] = people) {
    const store = await DatabaseReportStore.create({
      database: mockServices.database({ knex: await databases.init(id) }),
    });
    const reportId = (await store.insert(
      generated('org', '2026-03-02', {
        'sql.executed': 2,
        'tickets.opened': 1,
      }),
      { createdAt: new Date(), sendAt: new Date(Date.now() - 1000) },
    ))!;
    const sender = new ReportSender({
      store,
      transport: smtpTransport({
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        requireTls: false,
        from: 'opsdeck <opsdeck@opsdeck.example>',
      }),
      recipients: async () => recipients,
      baseUrl: 'http://portal.example',
      logger: mockServices.logger.mock(),
    });
    return { store, reportId, sender };
  }

  it('mails every recipient once with links to each figure, and never again', async () => {
    smtp.received.length = 0;
    const { store, reportId, sender } = await setup();
    await store.setHighlights(reportId, {
      text: 'Failover drill <done>',
      lang: 'en',
      by: 'user:default/bob',
      at: new Date(),
    });
    const first = await sender.send(reportId);
    expect(first).toMatchObject({
      claimed: true,
      sent: 2,
      failed: 0,
      done: true,
    });
    expect(smtp.to('alice@opsdeck.example')).toHaveLength(1);
    expect(smtp.to('bob@opsdeck.example')).toHaveLength(1);
    const raw = smtp.to('alice@opsdeck.example')[0].raw.replace(/=\r?\n/g, '');
    expect(raw).toContain(`report-${reportId}-`);
    expect(raw).toMatch(/Auto-Submitted: auto-generated/i);
    expect(raw).toContain(
      `http://portal.example/report/${reportId}/figures/sql.executed`,
    );
    expect(raw).toContain('Failover drill &lt;done&gt;');

    const second = await sender.send(reportId);
    expect(second.claimed).toBe(false);
    expect(smtp.received).toHaveLength(2);
    expect((await store.get(reportId))!.state).toBe('sent');
  });

  it('retries an address the server refused, without mailing the others again', async () => {
    smtp.received.length = 0;
    smtp.refuse.add('bob@opsdeck.example');
    const { store, reportId, sender } = await setup();
    const first = await sender.send(reportId);
    expect(first).toMatchObject({ sent: 1, failed: 1, done: false });
    expect((await store.get(reportId))!.state).toBe('sending');

    smtp.refuse.delete('bob@opsdeck.example');
    const second = await sender.send(reportId);
    expect(second).toMatchObject({
      claimed: true,
      sent: 1,
      failed: 0,
      done: true,
    });
    expect(smtp.to('alice@opsdeck.example')).toHaveLength(1);
    expect(smtp.to('bob@opsdeck.example')).toHaveLength(1);
  });
});
