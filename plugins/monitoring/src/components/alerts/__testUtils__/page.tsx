import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { MonitoringPage } from '../MonitoringPage';
import { ENTITIES, TEMPLATES } from './fixtures';

// The monitoring page over a fake backend, for MonitoringPage*.test.tsx.

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
/** A resolution opsdeck recorded itself: Alertmanager stopped sending the alert. */
const STALE = {
  ...EVENT,
  id: 2,
  fingerprint: 'f2',
  status: 'resolved',
  alertname: 'DiskFull',
  endsAt: '2026-12-02T10:00:00Z',
  receivedAt: '2026-12-03T10:00:00Z',
  stale: true,
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
  {
    id: 3,
    eventId: 1,
    channel: 'ops-mail',
    channelType: 'email',
    state: 'unknown',
    attempts: 1,
    updatedAt: '2026-12-01T10:00:02Z',
  },
];
const CHANNELS = [
  { name: 'ops-mail', type: 'email', owners: ['group:default/ops'] },
  { name: 'all-hook', type: 'webhook', owners: [] },
];
const PREVIEW = {
  channel: 'ops-mail',
  type: 'email',
  title: '[告警 FIRING] OpsdeckTestAlert (test)',
  lines: ['Test send by user:default/bob', 'severity: info'],
  text: 'Test send by user:default/bob\nseverity: info',
};
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
    {
      name: 'opsdeck_entity',
      value: 'resource:default/web-01',
      isRegex: false,
    },
  ],
  startsAt: '2026-12-01T10:00:00Z',
  endsAt: '2026-12-01T11:00:00Z',
  createdBy: 'user:default/bob',
  comment: 'maintenance',
  status: { state: 'active' },
};

const PROBE = {
  id: 7,
  entityRef: 'resource:default/web-01',
  kind: 'http',
  target: 'https://web-01.example.com/health',
  expectStatus: 200,
  bodyRegex: 'ok',
  interval: '15s',
  createdBy: 'user:default/bob',
  createdAt: '2026-12-01T09:00:00Z',
};

/** An on-call rotation as GET /oncall/rotations lists it. */
export const ROTATION_VIEW = {
  rotation: {
    id: 3,
    group: 'group:default/ops',
    name: 'Primary',
    members: ['user:default/olga', 'user:default/erin'],
    shift: { kind: 'weekly' },
    handoffTime: '09:00',
    timeZone: 'Asia/Shanghai',
    startDate: '2026-11-30',
    createdBy: 'user:default/bob',
    createdAt: '2026-11-29T09:00:00Z',
    updatedBy: 'user:default/bob',
    updatedAt: '2026-11-29T09:00:00Z',
  },
  overrides: [
    {
      id: 5,
      rotationId: 3,
      user: 'user:default/erin',
      start: '2026-12-08T01:00:00Z',
      end: '2026-12-08T13:00:00Z',
      createdBy: 'user:default/bob',
      createdAt: '2026-11-29T09:00:00Z',
    },
  ],
  onCall: 'user:default/olga',
  at: '2026-12-01T10:00:00Z',
  schedule: [
    {
      user: 'user:default/olga',
      start: '2026-11-30T01:00:00.000Z',
      end: '2026-12-07T01:00:00.000Z',
      override: false,
    },
    {
      user: 'user:default/erin',
      start: '2026-12-07T01:00:00.000Z',
      end: '2026-12-14T01:00:00.000Z',
      override: false,
    },
  ],
};

const SCRIPT_PROBE = {
  id: 11,
  entityRef: 'resource:default/web-01',
  kind: 'script',
  target: 'disk-root',
  script: 'df -P / | wc -l',
  language: 'bash',
  interval: '30s',
  createdBy: 'user:default/alice',
  createdAt: '2026-12-01T09:00:00Z',
};

/** A fleet overview as the backend answers it. */
export const FLEET = {
  time: '2026-12-01T10:00:00Z',
  hosts: 3,
  limit: 10,
  cpu: [
    { entityRef: 'resource:default/web-01', title: 'web-01', value: 87.25 },
    { entityRef: 'resource:default/pay-app-01', title: 'Pay app 1', value: 12 },
  ],
  memory: [
    { entityRef: 'resource:default/web-01', title: 'web-01', value: 40.5 },
  ],
  disk: [],
  down: [
    {
      entityRef: 'resource:default/web-02',
      title: 'web-02',
      instance: '10.0.0.12:9100',
    },
  ],
};

type Call = { method: string; path: string; body?: unknown };

/** Renders the page over a fake backend; returns the calls it received. */
export async function renderPage(
  allowed: (name: string) => boolean,
  tab = 'alerts',
  fleet: { status: number; body: unknown } = { status: 200, body: FLEET },
) {
  const calls: Call[] = [];
  let testSends = 0;
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const path = `${url.pathname.replace(/^\/api\/monitoring/, '')}${
        url.search
      }`;
      const method = init?.method ?? 'GET';
      calls.push({
        method,
        path,
        ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}),
      });
      const json = (x: unknown, status = 200) =>
        new Response(JSON.stringify(x), {
          status,
          headers: { 'Content-Type': 'application/json' },
        });
      if (path === '/alerts?limit=100')
        return json({ items: [EVENT, STALE], total: 2 });
      if (path === '/alerts/1/deliveries') return json({ items: DELIVERIES });
      if (path === '/alerts/1/ack' && method === 'POST') {
        return json({
          ...EVENT,
          acknowledgement: {
            by: 'user:default/bob',
            at: '2026-12-01T10:05:00Z',
            comment: 'on it',
          },
        });
      }
      const retried = /^\/deliveries\/(\d+)\/retry$/.exec(path);
      if (retried && method === 'POST') {
        const d = DELIVERIES.find(x => x.id === Number(retried[1]))!;
        return json({ ...d, state: 'sent', attempts: d.attempts + 1 });
      }
      if (path === '/channels') return json({ items: CHANNELS });
      if (path === '/channels/ops-mail/preview') return json(PREVIEW);
      if (path === '/channels/ops-mail/test' && method === 'POST') {
        // the second test send is past the person's limit
        testSends += 1;
        if (testSends > 1) {
          return json(
            {
              error: {
                name: 'RateLimitedError',
                message: 'Too many calls',
                code: 'monitoring-rate-limited',
                limit: 1,
                retryAfterSeconds: 42,
              },
              request: { method: 'POST', url: path },
              response: { statusCode: 429 },
            },
            429,
          );
        }
        return json({
          event: { ...EVENT, id: 9, test: true },
          deliveries: [{ ...DELIVERIES[0], id: 9, channel: 'ops-mail' }],
        });
      }
      if (path === '/fleet') return json(fleet.body, fleet.status);
      if (path === '/rule-templates') return json({ items: TEMPLATES });
      if (path === '/rules') return json({ items: [RULE] });
      if (path === '/silences' && method === 'GET') return json([SILENCE]);
      if (path === '/probes' && method === 'GET')
        return json({ items: [PROBE, SCRIPT_PROBE] });
      if (path === '/probes/status') {
        return json({
          time: '2026-12-01T10:00:05Z',
          items: [
            { id: 7, state: 'down', lastProbeAt: '2026-12-01T10:00:00Z' },
          ],
        });
      }
      if (path === '/probes/7' && method === 'PUT') {
        const body = JSON.parse(String(init!.body));
        if (String(body.target).includes('169.254.169.254')) {
          return json(
            {
              error: {
                name: 'InputError',
                message: 'Probes may not reach 169.254.169.254',
              },
              request: { method: 'PUT', url: '/probes/7' },
              response: { statusCode: 400 },
            },
            400,
          );
        }
        return json({ ...PROBE, ...body });
      }
      if (path === '/probes' && method === 'POST') {
        return json({ ...PROBE, id: 8 }, 201);
      }
      if (path === '/probes/7' && method === 'DELETE') {
        return new Response(null, { status: 204 });
      }
      if (path === '/oncall/rotations' && method === 'GET') {
        return json({ items: [ROTATION_VIEW] });
      }
      if (path === '/oncall/rotations' && method === 'POST') {
        const body = JSON.parse(String(init!.body));
        if (body.name === 'Foreign') {
          return json(
            {
              error: {
                name: 'InputError',
                message: 'not a member',
                code: 'monitoring-rotation-member-foreign',
                member: 'user:default/olga',
                group: 'group:default/ops',
              },
              request: { method: 'POST', url: path },
              response: { statusCode: 400 },
            },
            400,
          );
        }
        return json({ ...ROTATION_VIEW.rotation, ...body, id: 4 }, 201);
      }
      if (path === '/oncall/rotations/3/overrides' && method === 'POST') {
        const body = JSON.parse(String(init!.body));
        return json({ ...ROTATION_VIEW.overrides[0], ...body, id: 6 }, 201);
      }
      if (
        (path === '/oncall/rotations/3' ||
          path === '/oncall/rotations/3/overrides/5') &&
        method === 'DELETE'
      ) {
        return new Response(null, { status: 204 });
      }
      if (path === '/silences/a1b2c3' && method === 'DELETE') {
        return new Response(null, { status: 204 });
      }
      return json({ error: { name: 'NotFoundError', message: path } }, 404);
    },
  );
  await renderInTestApp(<MonitoringPage />, {
    mountPath: '/monitoring',
    initialRouteEntries: [`/monitoring?tab=${tab}`],
    apis: [
      [catalogApiRef, catalogApiMock({ entities: ENTITIES })],
      mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
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
