import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MonitoringPage } from './MonitoringPage';
import { ENTITIES, TEMPLATES } from './testUtils';

const EVENT = {
  id: 1,
  fingerprint: 'f1',
  status: 'firing',
  startsAt: '2026-12-01T10:00:00Z',
  alertname: 'HostDown',
  entityRef: 'resource:default/web-01',
  owner: 'group:default/ops',
  severity: 'critical',
  summary: 'web-01 is down (not scraped)',
  labels: {},
  annotations: {},
  receivedAt: '2026-12-01T10:00:01Z',
  test: false,
};
const DELIVERIES = [
  {
    id: 1,
    eventId: 1,
    channel: 'ops-dingtalk',
    channelType: 'dingtalk',
    state: 'sent',
    attempts: 1,
    updatedAt: '2026-12-01T10:00:02Z',
  },
  {
    id: 2,
    eventId: 1,
    channel: 'ops-hook',
    channelType: 'webhook',
    state: 'failed',
    attempts: 3,
    error: 'HTTP 502',
    updatedAt: '2026-12-01T10:03:00Z',
  },
];
const RULE = {
  id: 4,
  name: 'web-01 down',
  template: 'host-down',
  scope: { entityRef: 'resource:default/web-01' },
  params: { severity: 'critical' },
  enabled: true,
  version: 1,
  updatedBy: 'user:default/bob',
  updatedAt: '2026-12-01T09:00:00Z',
};
const SILENCE = {
  id: 'a1b2c3',
  matchers: [
    { name: 'opsdeck_entity', value: 'resource:default/web-01', isRegex: false },
  ],
  startsAt: '2026-12-01T10:00:00Z',
  endsAt: '2026-12-01T11:00:00Z',
  createdBy: 'user:default/bob',
  comment: 'maintenance',
  status: { state: 'active' },
};

type Call = { method: string; path: string };

async function render(allowed: (name: string) => boolean, tab = 'alerts') {
  const calls: Call[] = [];
  const fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const path = `${url.pathname.replace(/^\/api\/monitoring/, '')}${url.search}`;
    const method = init?.method ?? 'GET';
    calls.push({ method, path });
    const json = (x: unknown, status = 200) =>
      new Response(JSON.stringify(x), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    if (path === '/alerts?limit=100') return json({ items: [EVENT], total: 1 });
    if (path === '/alerts/1/deliveries') return json({ items: DELIVERIES });
    if (path === '/rule-templates') return json({ items: TEMPLATES });
    if (path === '/rules') return json({ items: [RULE] });
    if (path === '/silences' && method === 'GET') return json([SILENCE]);
    if (path === '/silences/a1b2c3' && method === 'DELETE') {
      return new Response(null, { status: 204 });
    }
    return json({ error: { name: 'NotFoundError', message: path } }, 404);
  });
  await renderInTestApp(<MonitoringPage />, {
    mountPath: '/monitoring',
    initialRouteEntries: [`/monitoring?tab=${tab}`],
    apis: [
      [catalogApiRef, catalogApiMock({ entities: ENTITIES })],
      mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
      mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
      mockApis.permission({
        authorize: req =>
          allowed(req.permission.name)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }),
    ] as const,
  } as any);
  return calls;
}

const reader = (name: string) => name === 'opsdeck.monitoring.alert.read';
const ops = (name: string) => name.startsWith('opsdeck.monitoring.');

describe('MonitoringPage', () => {
  it('lists alerts and shows one alert’s deliveries on expand', async () => {
    await render(reader);
    const row = await screen.findByTestId('alert-1');
    expect(row).toHaveTextContent('firing');
    expect(row).toHaveTextContent('HostDown');
    expect(row).toHaveTextContent('critical');
    expect(within(row).getByRole('link', { name: 'web-01' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/web-01',
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Show deliveries of HostDown' }),
    );
    const hook = await screen.findByTestId('delivery-ops-hook');
    expect(hook).toHaveTextContent('ops-hook (webhook)');
    expect(hook).toHaveTextContent('failed');
    expect(hook).toHaveTextContent('3');
    expect(hook).toHaveTextContent('HTTP 502');
    expect(screen.getByTestId('delivery-ops-dingtalk')).toHaveTextContent('sent');
  });

  it('shows a reader the rules and silences without New rule, Edit, Silence or Expire', async () => {
    await render(reader, 'rules');
    expect(await screen.findByTestId('rule-web-01 down')).toHaveTextContent(
      'entity resource:default/web-01',
    );
    expect(screen.getByRole('button', { name: 'Versions' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New rule' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
    await userEvent.click(screen.getByRole('tab', { name: 'Silences' }));
    expect(await screen.findByTestId('silence-a1b2c3')).toHaveTextContent(
      'maintenance',
    );
    expect(screen.queryByRole('button', { name: 'Silence' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Expire' })).toBeNull();
  });

  it('lets ops expire a silence and open the New rule dialog', async () => {
    const calls = await render(ops, 'silences');
    await screen.findByTestId('silence-a1b2c3');
    await userEvent.click(screen.getByRole('button', { name: 'Expire' }));
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'DELETE',
        path: '/silences/a1b2c3',
      }),
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Rules' }));
    await userEvent.click(await screen.findByRole('button', { name: 'New rule' }));
    expect(await screen.findByText('New alert rule')).toBeInTheDocument();
  });

  it('tells a user without opsdeck.monitoring.alert.read and shows no tabs', async () => {
    const calls = await render(() => false);
    expect(await screen.findByTestId('opsdeck-not-allowed')).toHaveTextContent(
      'opsdeck.monitoring.alert.read',
    );
    expect(screen.queryByRole('tab')).toBeNull();
    expect(calls).toEqual([]);
  });
});
