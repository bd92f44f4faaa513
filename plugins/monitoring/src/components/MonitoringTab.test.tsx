import type { Entity } from '@backstage/catalog-model';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SWRConfig } from 'swr';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  isHostEntity,
  isServiceEntity,
  monitoringEntityContent,
  isStoreEntity,
} from '../plugin';
import { monitoringRouteRef } from '../routes';
import { MonitoringTab } from './MonitoringTab';

const host: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'web-01', namespace: 'default' },
  spec: { type: 'host' },
};

const t = 1_764_720_000_000;
const panels = [
  {
    id: 'cpu',
    unit: 'percent',
    series: [
      {
        name: 'cpu',
        points: [
          [t, 10],
          [t + 15_000, 42.5],
        ],
      },
    ],
  },
  {
    id: 'network',
    unit: 'bytesPerSecond',
    series: [
      { name: 'receive', points: [[t, 2048]] },
      { name: 'transmit', points: [[t, 1024]] },
    ],
  },
  { id: 'up', unit: 'up', series: [] },
];

const shop: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default' },
  spec: { type: 'service', owner: 'ops' },
};

function render(
  fetch: jest.Mock,
  entity: Entity = host,
  options: { manageProbes?: boolean; language?: string } = {},
) {
  // a fresh permission cache per render (usePermission caches answers)
  return renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <EntityProvider entity={entity}>
        <MonitoringTab />
      </EntityProvider>
    </SWRConfig>,
    {
      mountedRoutes: { '/monitoring': monitoringRouteRef },
      apis: [
        mockApis.discovery({ baseUrl: 'http://backend.test' }),
        mockApis.appLanguage({
          defaultLanguage: options.language ?? 'en',
          availableLanguages: ['en', 'zh-CN'],
        }),
        mockApis.fetch({ baseImplementation: fetch }),
        mockApis.permission({
          authorize: req =>
            req.permission.name === 'opsdeck.monitoring.rule.manage' &&
            !options.manageProbes
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }),
      ],
    },
  );
}

describe('MonitoringTab', () => {
  it('is a tab of hosts, and of databases and caches of a known engine', () => {
    expect(isHostEntity(host)).toBe(true);
    expect(isHostEntity({ ...host, spec: { type: 'database' } })).toBe(false);
    const tester = createExtensionTester(monitoringEntityContent, {
      apis: [mockApis.translation()],
    });
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter!(host)).toBe(true);
    expect(filter!({ ...host, kind: 'Component' })).toBe(false);
    for (const [type, engine] of [
      ['database', 'postgresql'],
      ['database', 'MySQL'],
      ['database', 'mariadb'],
      ['cache', 'redis'],
      ['queue', 'RabbitMQ'],
    ]) {
      const store = { ...host, spec: { type, engine } };
      expect(isStoreEntity(store)).toBe(true);
      expect(filter!(store)).toBe(true);
    }
    expect(
      filter!({ ...host, spec: { type: 'database', engine: 'oracle' } }),
    ).toBe(false);
    expect(filter!({ ...host, spec: { type: 'database' } })).toBe(false);
    expect(filter!({ ...host, spec: { type: 'queue', engine: 'redis' } })).toBe(
      false,
    );
    // rabbitmq is a queue's engine, not a cache's or database's
    expect(
      filter!({ ...host, spec: { type: 'cache', engine: 'rabbitmq' } }),
    ).toBe(false);
    expect(filter!({ ...host, spec: { type: 'queue' } })).toBe(false);
    // services and websites (their probes); other components have none
    for (const type of ['service', 'website']) {
      const component = { ...shop, spec: { type } };
      expect(isServiceEntity(component)).toBe(true);
      expect(filter!(component)).toBe(true);
    }
    expect(filter!({ ...shop, spec: { type: 'library' } })).toBe(false);
    expect(filter!({ ...shop, kind: 'Resource' })).toBe(false);
  });

  it("charts a service's probes, each panel naming its probe", async () => {
    const probe = (id: number, kind: string, target: string) => ({
      id,
      kind,
      target,
    });
    const http = probe(3, 'http', 'https://shop.example.com/health');
    const tcp = probe(4, 'tcp', 'shop.example.com:443');
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            panels: [
              {
                id: 'probeSuccess',
                unit: 'up',
                probe: http,
                series: [{ name: 'success', points: [[t, 1]] }],
              },
              {
                id: 'probeDuration',
                unit: 'seconds',
                probe: http,
                series: [{ name: 'duration', points: [[t, 0.25]] }],
              },
              {
                id: 'probeStatusCode',
                unit: 'statusCode',
                probe: http,
                series: [{ name: 'status', points: [[t, 503]] }],
              },
              {
                id: 'probeSuccess',
                unit: 'up',
                probe: tcp,
                series: [{ name: 'success', points: [[t, 0]] }],
              },
            ],
          }),
          { status: 200 },
        ),
    );
    await render(fetch, shop);
    expect(await screen.findByTestId('chart-probeSuccess-3')).toBeVisible();
    expect(screen.getByTestId('chart-probeSuccess-4')).toBeVisible();
    expect(
      screen.getByRole('img', {
        name: 'HTTP status code · HTTP · https://shop.example.com/health',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText('HTTP · https://shop.example.com/health'),
    ).toHaveLength(3);
    expect(screen.getByText('TCP port · shop.example.com:443')).toBeVisible();
    expect(screen.getAllByText('Probe succeeded')).toHaveLength(2);
    expect(screen.getByText('success: 1')).toBeInTheDocument();
    expect(screen.getByText('success: 0')).toBeInTheDocument();
    expect(screen.getByText('duration: 0.3 s')).toBeInTheDocument();
    expect(screen.getByText('status: 503')).toBeInTheDocument();
    // each chart's largest value, through the translation (state.max)
    expect(screen.getAllByText('max 1')).toHaveLength(2);
    expect(screen.getByText('max 503')).toBeInTheDocument();
    expect(String((fetch.mock.calls[0] as any[])[0])).toBe(
      'http://backend.test/api/monitoring/entities/component/default/shop/panels?range=1h',
    );
    expect(screen.queryByText('No probes on this service.')).toBeNull();
  });

  it('says that a service has no probes, with a link to the Probes tab for those who manage them', async () => {
    const fetch = jest.fn(
      async () => new Response(JSON.stringify({ panels: [] }), { status: 200 }),
    );
    await render(fetch, shop, { manageProbes: true });
    expect(
      await screen.findByText('No probes on this service.'),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('link', {
        name: 'Add a probe in the Probes tab',
      }),
    ).toHaveAttribute('href', '/monitoring?tab=probes');
  });

  it('shows a reader the empty state of a service without the link', async () => {
    const fetch = jest.fn(
      async () => new Response(JSON.stringify({ panels: [] }), { status: 200 }),
    );
    await render(fetch, shop);
    // the empty state waits for the permission's answer: the link is decided
    expect(
      await screen.findByText('No probes on this service.'),
    ).toBeInTheDocument();
    expect(screen.queryByText('Add a probe in the Probes tab')).toBeNull();
  });

  it('charts the panels of a database with their units and series names', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            panels: [
              {
                id: 'connections',
                unit: 'count',
                series: [
                  { name: 'connections', points: [[t, 12]] },
                  { name: 'max', points: [[t, 300]] },
                ],
              },
              {
                id: 'memory',
                unit: 'bytes',
                series: [{ name: 'used', points: [[t, 3 * 1024 * 1024]] }],
              },
              {
                id: 'transactions',
                unit: 'perSecond',
                series: [{ name: 'commit', points: [[t, 4.5]] }],
              },
              {
                id: 'replicationLag',
                unit: 'seconds',
                series: [{ name: 'lag', points: [[t, 2]] }],
              },
            ],
          }),
          { status: 200 },
        ),
    );
    await render(fetch);
    expect(await screen.findByText('Connections')).toBeInTheDocument();
    expect(screen.getByText('connections: 12')).toBeInTheDocument();
    expect(screen.getByText('max: 300')).toBeInTheDocument();
    expect(screen.getByText('used: 3.0 MiB')).toBeInTheDocument();
    expect(screen.getByText('Transactions per second')).toBeInTheDocument();
    expect(screen.getByText('commit: 4.50/s')).toBeInTheDocument();
    expect(screen.getByText('Replication lag')).toBeInTheDocument();
    expect(screen.getByText('lag: 2.0 s')).toBeInTheDocument();
  });

  it.each([
    [
      'en',
      {
        titles: [
          'Messages',
          'Ready messages per queue',
          'Consumers',
          'Messages per second',
          'Connections',
        ],
        lines: [
          'ready: 5',
          'unacknowledged: 2',
          'orders: 5',
          'consumers: 1',
          'published: 1.50/s',
          'delivered: 0.25/s',
          'connections: 3',
        ],
      },
    ],
    [
      'zh-CN',
      {
        titles: [
          '消息数',
          '各队列待消费消息',
          '消费者',
          '每秒消息数',
          '连接数',
        ],
        lines: [
          '待消费: 5',
          '未确认: 2',
          'orders: 5',
          '消费者: 1',
          '发布: 1.50/s',
          '投递: 0.25/s',
          '连接: 3',
        ],
      },
    ],
  ])("charts a queue's panels (%s)", async (language, expected) => {
    const queue: Entity = {
      ...host,
      metadata: { name: 'orders-mq', namespace: 'default' },
      spec: { type: 'queue', engine: 'rabbitmq', owner: 'ops' },
    };
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            panels: [
              {
                id: 'messages',
                unit: 'count',
                series: [
                  { name: 'ready', points: [[t, 5]] },
                  { name: 'unacked', points: [[t, 2]] },
                ],
              },
              {
                id: 'queueDepth',
                unit: 'count',
                // a queue's own name is not translated
                series: [{ name: 'orders', points: [[t, 5]] }],
              },
              {
                id: 'consumers',
                unit: 'count',
                series: [{ name: 'consumers', points: [[t, 1]] }],
              },
              {
                id: 'messageRates',
                unit: 'perSecond',
                series: [
                  { name: 'publish', points: [[t, 1.5]] },
                  { name: 'deliver', points: [[t, 0.25]] },
                ],
              },
              {
                id: 'connections',
                unit: 'count',
                series: [{ name: 'connections', points: [[t, 3]] }],
              },
            ],
          }),
          { status: 200 },
        ),
    );
    await render(fetch, queue, { language });
    expect(await screen.findByText(expected.titles[0])).toBeInTheDocument();
    for (const title of expected.titles) {
      expect(screen.getByText(title)).toBeInTheDocument();
    }
    for (const line of expected.lines) {
      expect(screen.getByText(line)).toBeInTheDocument();
    }
    expect(String((fetch.mock.calls[0] as any[])[0])).toBe(
      'http://backend.test/api/monitoring/entities/resource/default/orders-mq/panels?range=1h',
    );
  });

  it('charts the panels of the entity and asks again for another range', async () => {
    const fetch = jest.fn(
      async () => new Response(JSON.stringify({ panels }), { status: 200 }),
    );
    await render(fetch);
    expect(await screen.findByTestId('chart-cpu')).toBeInTheDocument();
    expect(screen.getByText('cpu: 42.5 %')).toBeInTheDocument();
    expect(screen.getByText('received: 2.0 KiB/s')).toBeInTheDocument();
    // a panel without data says so
    expect(
      screen.getByText('No data in this range (is the exporter scraped?)'),
    ).toBeInTheDocument();
    expect(String((fetch.mock.calls[0] as any[])[0])).toBe(
      'http://backend.test/api/monitoring/entities/resource/default/web-01/panels?range=1h',
    );
    await userEvent.click(screen.getByText('Last hour'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 7 days' }),
    );
    await waitFor(() =>
      expect(
        fetch.mock.calls.some((c: any[]) => String(c[0]).endsWith('range=7d')),
      ).toBe(true),
    );
  });

  it('shows what went wrong', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            error: { name: 'NotFoundError', message: 'No entity' },
          }),
          { status: 404, headers: { 'content-type': 'application/json' } },
        ),
    );
    await render(fetch);
    expect(
      await screen.findByText(/Could not load the charts: .*No entity/),
    ).toBeInTheDocument();
  });
});
