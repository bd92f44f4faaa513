import { createServiceFactory } from '@backstage/backend-plugin-api';
import { userPermissionsServiceRef } from '@opsdeck/plugin-opsdeck-node';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DatabaseAuditLog } from '@opsdeck/plugin-audit-node';
import { catalogHostsServiceFactory } from '@opsdeck/plugin-cmdb-node/testUtils';
import { createTestAuditStore } from '@opsdeck/plugin-audit-node/testUtils';
// The jobs plugin serves the job runs the report reads over HTTP.
import jobsPlugin from '@opsdeck/plugin-jobs-backend';
import {
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import { vaultServiceRef } from '@opsdeck/plugin-vault-node';
import { ORG_SCOPE, REPORT_FIGURE_KEYS } from '@opsdeck/plugin-report-common';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { ConfigReader } from '@backstage/config';
import {
  DatabaseReportStore,
  DEMO_USERS,
  demoOrgEntities,
  expectedCounter,
  jobsApiReader,
  readCatalog,
  readReportConfig,
  recipientsOf,
  ReportGenerator,
  ReportSender,
  ReportService,
  SEED_HOSTS,
  seedAuditWeek,
  smtpTransport,
  startSmtpServer,
  type TestSmtpServer,
  weekOf,
} from '@opsdeck/plugin-report-backend/testUtils';

// The "done when" of the weekly report: a week of activity (audit events of
// every kind the report reads and of kinds it must not count, real job runs
// on real sshd hosts through the jobs plugin's API), the report run twice
// (the second run writes and sends nothing), every figure of every report
// checked against SQL over the same tables, and the mails received by a real
// SMTP server.
jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
let sshd: SshdHosts;
let smtp: TestSmtpServer;

beforeAll(async () => {
  [sshd, smtp] = await Promise.all([startSshdHosts(2), startSmtpServer()]);
});
afterAll(async () => {
  await Promise.all([sshd?.stop(), smtp?.close()]);
});

function resource(name: string, environment: string, port?: number): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'host',
      address: '127.0.0.1',
      port: port ?? 22,
      loginUser: sshd.user,
      credential: 'test-ssh',
      environment,
      owner: 'ops',
      system: 'lab',
    },
  };
}

describe.each(databases.eachSupportedId())(
  'weekly report, end to end (%s)',
  id => {
    it('counts a seeded week exactly as SQL does, mails it once, and sends nothing on the second run', async () => {
      const knex = await databases.init(id);
      const entities = demoOrgEntities([
        resource('pay-app-01', 'prod'),
        resource('gw-01', 'prod'),
        resource('web-02', 'staging'),
        resource('build-01', 'dev'),
        resource('lab-01', 'test', sshd.hosts[0].port),
        resource('lab-02', 'test', sshd.hosts[1].port),
      ]);
      const catalog = catalogServiceMock({ entities });

      // the jobs plugin, on real sshd hosts
      const jobs = await startTestBackend({
        features: [
          jobsPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              app: { baseUrl: 'http://portal.example' },
              opsdeck: { jobs: { scheduleIntervalSeconds: 3600 } },
            },
          }),
          mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
          // a schedule owner's rights at each tick: everyone may, as above
          createServiceFactory({
            service: userPermissionsServiceRef,
            deps: {},
            factory: () => ({
              authorizeUser: async (_user, requests) =>
                requests.map(() => ({ result: AuthorizeResult.ALLOW })),
            }),
          }),
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () => catalog,
          }),
          // job targets resolved over this catalog (there is no CMDB here)
          catalogHostsServiceFactory,
          createServiceFactory({
            service: vaultServiceRef,
            deps: {},
            factory: () => ({
              getSecret: async () => ({
                type: 'ssh-key' as const,
                username: sshd.user,
                privateKey: sshd.privateKeyText,
              }),
            }),
          }),
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({ send: async () => {} }),
          }),
        ],
      });
      const as = (user: string) =>
        mockCredentials.user.header(`user:default/${user}`);
      for (const [name, script] of [
        ['ok', 'true'],
        ['fail', 'exit 3'],
      ]) {
        await request(jobs.server)
          .post('/api/jobs/jobs')
          .set('Authorization', as('bob'))
          .send({ name, language: 'sh', script })
          .expect(201);
      }
      const runIds: [string, string][] = [];
      for (const [user, job, host] of [
        ['bob', 'ok', 'lab-01'],
        ['bob', 'fail', 'lab-02'],
        ['alice', 'ok', 'lab-02'],
        ['carol', 'fail', 'lab-01'],
        ['dave', 'ok', 'lab-01'],
      ]) {
        const run = await request(jobs.server)
          .post('/api/jobs/runs')
          .set('Authorization', as(user))
          .send({ job, selector: { names: [host] } })
          .expect(201);
        runIds.push([run.body.id, user]);
      }
      // each run is read by the person who started it (runs are their own
      // records): a refused read must not pass for a finished run
      for (const [runId, user] of runIds) {
        for (let i = 0; ; i++) {
          const run = await request(jobs.server)
            .get(`/api/jobs/runs/${runId}`)
            .set('Authorization', as(user))
            .expect(200);
          // GET /runs/{id} answers { run, hosts }
          if (run.body.run.status !== 'running') break;
          if (i > 300) throw new Error(`run ${runId} did not finish`);
          await new Promise(r => setTimeout(r, 200));
        }
      }

      // a week of audit events around the runs' week
      const week = weekOf(new Date(), 'Asia/Shanghai');
      const auditStore = await createTestAuditStore(knex);
      const inside = await seedAuditWeek(auditStore, week, 1500);
      expect(inside).toBeGreaterThan(1000);

      // the report, wired as plugin.ts wires it, at Monday 00:01 after the week
      const now = new Date(week.to.getTime() + 60_000);
      const config = readReportConfig(
        new ConfigReader({
          app: { baseUrl: 'http://portal.example' },
          opsdeck: {
            report: {
              timezone: 'Asia/Shanghai',
              draftHour: 0,
              sendHour: 0,
              smtp: {
                host: '127.0.0.1',
                port: smtp.port,
                from: 'opsdeck@opsdeck.example',
              },
            },
          },
        }),
      );
      const store = await DatabaseReportStore.create({
        database: mockServices.database({ knex }),
      });
      const port = (jobs.server.address() as AddressInfo).port;
      const auth = mockServices.auth({ pluginId: 'report' });
      const snapshot = () =>
        readCatalog(catalog, auth, {
          teamTypes: ['team'],
          prodEnvironments: config.prodEnvironments,
          orgTitle: 'opsdeck demo org',
        });
      const auditor = mockServices.auditor.mock();
      const service = new ReportService({
        store,
        generator: new ReportGenerator({
          auditLog: new DatabaseAuditLog(knex),
          readCatalog: snapshot,
          readJobRuns: jobsApiReader({
            auth,
            discovery: {
              getBaseUrl: async p => `http://localhost:${port}/api/${p}`,
              getExternalBaseUrl: async p =>
                `http://localhost:${port}/api/${p}`,
            },
          }),
        }),
        sender: new ReportSender({
          store,
          transport: smtpTransport(config.smtp!),
          recipients: async r => recipientsOf(await snapshot(), r.scope, []),
          baseUrl: config.baseUrl,
          logger: mockServices.logger.mock(),
          now: () => now,
        }),
        config,
        auditor,
        logger: mockServices.logger.mock(),
        now: () => now,
      });

      smtp.received.length = 0;
      const first = await service.tick();
      const teams = ['admins', 'dba', 'dev', 'ops', 'security'];
      expect(first.written).toBe(teams.length + 1);
      expect(
        first.sent.every(s => s.done && s.failed === 0 && s.uncertain === 0),
      ).toBe(true);

      // every figure of every report, against SQL over the same data
      const expected = expectedCounter(knex, week, {
        prodHosts: SEED_HOSTS.prod,
      });
      const { items } = await store.list({
        weekStart: week.weekStart,
        limit: 50,
        offset: 0,
      });
      expect(items.map(r => r.scope).sort()).toEqual(
        [...teams.map(t => `group:default/${t}`), ORG_SCOPE].sort(),
      );
      let nonZero = 0;
      for (const report of items) {
        expect(report.state).toBe('sent');
        const team = report.scope === ORG_SCOPE ? undefined : report.scope;
        const members = team
          ? Object.entries(DEMO_USERS)
              .filter(([, u]) => u.groups.includes(team.split('/')[1]))
              .map(([name]) => `user:default/${name}`)
          : undefined;
        for (const figure of REPORT_FIGURE_KEYS) {
          const want = await expected(figure, { team, members });
          expect([report.scope, figure, report.figures[figure]]).toEqual([
            report.scope,
            figure,
            want,
          ]);
          const records = await store.records(report.id, figure, {
            limit: 500,
            offset: 0,
          });
          expect([report.scope, figure, records.total]).toEqual([
            report.scope,
            figure,
            want,
          ]);
          if (want > 0) nonZero += 1;
        }
      }
      expect(nonZero).toBeGreaterThan(40);
      const org = items.find(r => r.scope === ORG_SCOPE)!;
      expect(org.figures['jobs.runs']).toBe(5);
      expect(org.figures['jobs.failed']).toBe(2);

      // the mails: each team member got their team's report and the org's
      for (const report of items) {
        const recipients = recipientsOf(await snapshot(), report.scope, []);
        expect(recipients.length).toBeGreaterThan(0);
        for (const r of recipients) {
          const mails = smtp
            .to(r.email)
            .filter(m => m.raw.includes(`report-${report.id}-`));
          expect([report.scope, r.email, mails.length]).toEqual([
            report.scope,
            r.email,
            1,
          ]);
        }
      }
      const mailed = smtp.received.length;
      const orgMail = smtp
        .to('bob@opsdeck.example')
        .find(m => m.raw.includes(`report-${org.id}-`))!;
      const body = orgMail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      expect(body).toContain(
        `http://portal.example/report/${org.id}/figures/jobs.failed`,
      );

      // the second run (another replica, or the next check) does nothing
      const second = await service.tick();
      expect(second).toEqual({ written: 0, sent: [] });
      expect(smtp.received).toHaveLength(mailed);

      await jobs.stop();
    });
  },
);
