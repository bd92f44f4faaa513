import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { auditPage } from '../plugin';
import { AuditPage } from './AuditPage';

const BASE = 'http://example.test';

function auditEvent(
  id: number,
  overrides: Partial<AuditEvent> = {},
): AuditEvent {
  return {
    id,
    time: '2026-03-01T10:00:00.000Z',
    plugin: 'catalog',
    action: 'entity-mutate',
    severity: 'medium',
    status: 'succeeded',
    outcome: 'success',
    actor: 'user:default/alice',
    target: `component:default/svc-${id}`,
    meta: {},
    ...overrides,
  };
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A fake audit backend; records every URL it is asked for. */
function fakeBackend(
  handler?: (url: URL) => Response | undefined,
): jest.Mock<Promise<Response>, [RequestInfo | URL, RequestInit?]> {
  return jest.fn(async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const custom = handler?.(url);
    if (custom) return custom;
    if (url.pathname === '/api/audit/facets') {
      return json({
        plugins: ['catalog', 'scaffolder'],
        actions: ['entity-mutate', 'task'],
      });
    }
    if (url.pathname === '/api/audit/events') {
      const before = url.searchParams.get('before');
      if (before === '2') {
        return json({
          items: [auditEvent(1, { actor: 'user:default/carol' })],
        });
      }
      return json({
        items: [
          auditEvent(3),
          auditEvent(2, {
            actor: 'user:default/bob',
            action: 'task',
            plugin: 'scaffolder',
            target: 'template:default/web',
            status: 'failed',
            outcome: 'failed',
            error: 'boom',
          }),
        ],
        nextCursor: 2,
      });
    }
    return json({ error: { name: 'NotFoundError', message: 'nope' } }, 404);
  });
}

const catalog = catalogApiMock({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'dave', namespace: 'default' },
      spec: { profile: { displayName: 'Dave Developer' } },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'web-01', namespace: 'default' },
      spec: { type: 'host', owner: 'ops' },
    },
  ],
});

function apis(fetch: ReturnType<typeof fakeBackend>) {
  return [
    mockApis.discovery({ baseUrl: BASE }),
    mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
    catalog,
  ] as const;
}

const eventsCalls = (fetch: ReturnType<typeof fakeBackend>) =>
  fetch.mock.calls
    .map(([input]) => new URL(String(input)))
    .filter(url => url.pathname === '/api/audit/events');

describe('AuditPage', () => {
  it('renders rows and filters, and applies filters to the request', async () => {
    const fetch = fakeBackend();
    await renderInTestApp(<AuditPage />, { apis: apis(fetch) });

    const rows = await screen.findAllByTestId('audit-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('user:default/alice')).toBeInTheDocument();
    expect(
      within(rows[0]).getByText('component:default/svc-3'),
    ).toBeInTheDocument();
    expect(within(rows[0]).getByText('Succeeded')).toBeInTheDocument();
    expect(within(rows[1]).getByText('user:default/bob')).toBeInTheDocument();
    expect(within(rows[1]).getByText('task')).toBeInTheDocument();
    expect(within(rows[1]).getByText('scaffolder')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Failed')).toBeInTheDocument();
    for (const header of [
      'Time',
      'User',
      'Action',
      'Plugin',
      'Target',
      'Status',
    ]) {
      expect(
        screen.getByRole('columnheader', { name: header }),
      ).toBeInTheDocument();
    }

    // filters
    expect(screen.getByLabelText('User')).toBeInTheDocument();
    expect(screen.getByLabelText('Target')).toBeInTheDocument();
    expect(screen.getByLabelText('From')).toBeInTheDocument();
    expect(screen.getByLabelText('To')).toBeInTheDocument();

    // the action select offers the facets
    fireEvent.mouseDown(screen.getByLabelText('Action'));
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Any', 'entity-mutate', 'task']);
    await userEvent.click(
      within(listbox).getByRole('option', { name: 'task' }),
    );

    await userEvent.type(screen.getByLabelText('User'), 'user:default/bob');
    await userEvent.type(screen.getByLabelText('Target'), 'template:default/*');
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '2026-03-01T00:00' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));

    await waitFor(() => expect(eventsCalls(fetch)).toHaveLength(2));
    const params = eventsCalls(fetch)[1].searchParams;
    expect(params.get('actor')).toBe('user:default/bob');
    expect(params.get('action')).toBe('task');
    expect(params.get('target')).toBe('template:default/*');
    expect(params.get('from')).toBe(new Date('2026-03-01T00:00').toISOString());
    expect(params.get('to')).toBeNull();
    expect(params.get('before')).toBeNull();
  });

  it('pages forward and back with the cursor', async () => {
    const fetch = fakeBackend();
    await renderInTestApp(<AuditPage />, { apis: apis(fetch) });
    await screen.findAllByTestId('audit-row');
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled();
    expect(screen.getByText('Page 1')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('user:default/carol')).toBeInTheDocument();
    expect(screen.getAllByTestId('audit-row')).toHaveLength(1);
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    expect(eventsCalls(fetch).at(-1)?.searchParams.get('before')).toBe('2');

    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    expect(
      await screen.findByText('component:default/svc-3'),
    ).toBeInTheDocument();
    expect(eventsCalls(fetch).at(-1)?.searchParams.get('before')).toBeNull();
  });

  it('filters by a person and a host picked from the catalog, and by outcome', async () => {
    const fetch = fakeBackend();
    await renderInTestApp(<AuditPage />, { apis: apis(fetch) });
    await screen.findAllByTestId('audit-row');

    await userEvent.click(screen.getByLabelText('User'));
    await userEvent.click(
      await screen.findByRole('option', {
        name: 'user:default/dave (Dave Developer)',
      }),
    );
    await userEvent.click(screen.getByLabelText('Target'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'resource:default/web-01' }),
    );
    fireEvent.mouseDown(screen.getByLabelText('Outcome'));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Denied',
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));

    await waitFor(() => expect(eventsCalls(fetch)).toHaveLength(2));
    const params = eventsCalls(fetch)[1].searchParams;
    expect(params.get('actor')).toBe('user:default/dave');
    expect(params.get('target')).toBe('resource:default/web-01');
    expect(params.get('outcome')).toBe('denied');
  });

  it('opens a row into its details, never showing a secret', async () => {
    const fetch = fakeBackend(url =>
      url.pathname.endsWith('/events')
        ? json({
            items: [
              auditEvent(9, {
                plugin: 'bastion',
                action: 'grant-create',
                actor: 'user:default/dave',
                via: ['plugin:scaffolder'],
                target: 'resource:default/web-01',
                status: 'failed',
                outcome: 'denied',
                error: 'You are not allowed to do this',
                requestId: 'req-9',
                meta: {
                  subject: 'user:default/dave',
                  nested: { apiToken: 'tok-123', reason: 'ticket 7' },
                },
              }),
            ],
          })
        : undefined,
    );
    await renderInTestApp(<AuditPage />, { apis: apis(fetch) });
    const [row] = await screen.findAllByTestId('audit-row');
    expect(within(row).getByText('via plugin:scaffolder')).toBeInTheDocument();
    expect(within(row).getByText('Denied')).toBeInTheDocument();
    await userEvent.click(row);

    const details = await screen.findByTestId('audit-details');
    for (const text of [
      'user:default/dave',
      'plugin:scaffolder',
      'grant-create',
      'resource:default/web-01',
      'req-9',
      'You are not allowed to do this',
    ]) {
      expect(within(details).getAllByText(text).length).toBeGreaterThan(0);
    }
    const meta = within(details).getByTestId('audit-details-meta');
    expect(meta).toHaveTextContent('ticket 7');
    expect(meta).not.toHaveTextContent('tok-123');
    await userEvent.click(
      within(details).getByRole('button', { name: 'Close' }),
    );
    await waitFor(() =>
      expect(screen.queryByTestId('audit-details')).not.toBeInTheDocument(),
    );
  });

  it('exports the filtered log as CSV', async () => {
    const csv = 'id,time\r\n1,2026-03-01\r\n';
    const fetch = fakeBackend(url =>
      url.pathname === '/api/audit/events/export.csv'
        ? new Response(csv, { headers: { 'Content-Type': 'text/csv' } })
        : undefined,
    );
    const created: Blob[] = [];
    const createObjectURL = jest.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:audit';
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: jest.fn() });
    await renderInTestApp(<AuditPage />, { apis: apis(fetch) });
    await screen.findAllByTestId('audit-row');
    fireEvent.mouseDown(screen.getByLabelText('Outcome'));
    await userEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'Failed',
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
    const exportUrl = fetch.mock.calls
      .map(([input]) => new URL(String(input)))
      .find(u => u.pathname === '/api/audit/events/export.csv')!;
    expect(exportUrl.searchParams.get('outcome')).toBe('failed');
    expect(await created[0].text()).toBe(csv);
  });

  it('explains a permission error', async () => {
    const fetch = fakeBackend(() =>
      json({ error: { name: 'NotAllowedError', message: 'denied' } }, 403),
    );
    await renderInTestApp(<AuditPage />, { apis: apis(fetch) });
    expect(
      await screen.findByText(
        'You do not have permission to read the audit log',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('audit-row')).not.toBeInTheDocument();
  });

  it("says the backend's coded refusal of a reversed time range in the reader's language", async () => {
    // the backend's answer (plugins/audit-backend, router.test.ts)
    const refuse = (url: URL) =>
      url.pathname === '/api/audit/events' && url.searchParams.get('from')
        ? json(
            {
              error: {
                name: 'InputError',
                message: "'from' (…) must be before 'to' (…)",
                code: 'audit-time-range-reversed',
                from: url.searchParams.get('from'),
                to: url.searchParams.get('to'),
              },
              response: { statusCode: 400 },
            },
            400,
          )
        : undefined;
    for (const [language, expected] of [
      [
        'en',
        /^From \(.+\) must be before To \(.+\): swap them or change one\.$/,
      ],
      [
        'zh-CN',
        /^开始时间（.+）必须早于结束时间（.+）：请交换或修改其中之一。$/,
      ],
    ] as const) {
      const fetch = fakeBackend(refuse);
      const { unmount } = await renderInTestApp(<AuditPage />, {
        apis: [
          ...apis(fetch),
          mockApis.appLanguage({
            defaultLanguage: language,
            availableLanguages: ['en', 'zh-CN'],
          }),
        ],
      });
      await screen.findAllByTestId('audit-row');
      const [from, to] =
        language === 'en' ? ['From', 'To'] : ['开始时间', '结束时间'];
      fireEvent.change(screen.getByLabelText(from), {
        target: { value: '2026-03-02T00:00' },
      });
      fireEvent.change(screen.getByLabelText(to), {
        target: { value: '2026-03-01T00:00' },
      });
      await userEvent.click(
        screen.getByRole('button', {
          name: language === 'en' ? 'Apply' : '应用',
        }),
      );
      const alert = await screen.findByRole('alert');
      expect(alert.textContent).toMatch(expected);
      expect(alert).not.toHaveTextContent("'from'");
      unmount();
    }
  });

  it('shows an empty state', async () => {
    const fetch = fakeBackend(url =>
      url.pathname.endsWith('/events') ? json({ items: [] }) : undefined,
    );
    await renderInTestApp(<AuditPage />, { apis: apis(fetch) });
    expect(
      await screen.findByText('No audit events match these filters.'),
    ).toBeInTheDocument();
  });

  it('is translated to Simplified Chinese', async () => {
    const fetch = fakeBackend();
    await renderInTestApp(<AuditPage />, {
      apis: [
        ...apis(fetch),
        mockApis.appLanguage({
          defaultLanguage: 'zh-CN',
          availableLanguages: ['en', 'zh-CN'],
        }),
      ],
    });
    expect(
      await screen.findByRole('columnheader', { name: '操作' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '应用' })).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: '导出 CSV' }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('结果')).toBeInTheDocument();
    await userEvent.click(screen.getAllByTestId('audit-row')[0]);
    expect(
      await within(await screen.findByTestId('audit-details')).findByText(
        '操作人',
      ),
    ).toBeInTheDocument();
  });
});

describe('audit page extension', () => {
  it('mounts at /audit with a nav title and icon', () => {
    const tester = createExtensionTester(auditPage, {
      apis: [mockApis.translation()],
    });
    expect(tester.get(coreExtensionData.routePath)).toBe('/audit');
    expect(tester.get(coreExtensionData.icon)).toBeTruthy();
    expect(tester.get(coreExtensionData.titleTranslation)).toMatchObject({
      key: 'page.title',
    });
  });
});
