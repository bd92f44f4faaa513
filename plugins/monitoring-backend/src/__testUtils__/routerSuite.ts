import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { startRobotReceivers, startSmtpServer } from './receivers';
import {
  hostEntity,
  startMonitoringBackend,
  type MonitoringBackend,
} from './testBackend';

// What the monitoring router's suites (service/router.alerts.test.ts,
// service/router.channels.test.ts) share: one backend per suite on SQLite
// with the hosts web-01 and db-01 (db-01 is ops' and hidden from all but
// alice and olga), the channels ops-wecom (a loopback WeCom robot), ops-mail
// (a real SMTP server) and ci-hook (a loopback webhook), and the callers.

export const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

// The running suite's servers, set by useRouterBackend's beforeAll (imported
// bindings are live: read them inside a test).
export let backend: MonitoringBackend;
export let robots: Awaited<ReturnType<typeof startRobotReceivers>>;
export let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
export let knex: Knex;

/** Starts the servers before the suite's tests and stops them after them. */
export function useRouterBackend() {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  beforeAll(async () => {
    robots = await startRobotReceivers({ dingtalk: 's', feishu: 'f' });
    smtp = await startSmtpServer();
    knex = await databases.init('SQLITE_3');
    backend = await startMonitoringBackend({
      knex,
      entities: [
        hostEntity('web-01', '127.0.0.1:9100'),
        hostEntity('db-01', '127.0.0.1:9102'),
      ],
      // db-01 (ops') is shown to alice (admin) and olga (ops) only
      visibleTo: (user, entity) =>
        entity.metadata.name !== 'db-01' ||
        ['user:default/alice', 'user:default/olga'].includes(user),
      monitoring: {
        channels: [
          {
            name: 'ops-wecom',
            type: 'wecom',
            url: robots.urls.wecom,
            owners: ['ops'],
          },
          // test sends only (no group's alerts)
          {
            name: 'ops-mail',
            type: 'email',
            to: ['ops@x.test'],
            owners: ['nobody'],
          },
          // other plugins' messages only (POST /channels/send)
          {
            name: 'ci-hook',
            type: 'webhook',
            url: `${robots.urls.webhook}?token=h00k`,
            owners: ['nobody'],
          },
        ],
        smtp: { host: '127.0.0.1', port: smtp.port, from: 'alerts@x.test' },
      },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await robots?.close();
    await smtp?.close();
  });
}
