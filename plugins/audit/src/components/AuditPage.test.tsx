import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
            error: 'boom',
          }),
        ],
        nextCursor: 2,
      });
    }
    return json({ error: { name: 'NotFoundError', message: 'nope' } }, 404);
  });
}

function apis(fetch: ReturnType<typeof fakeBackend>) {
  return [
    mockApis.discovery({ baseUrl: BASE }),
    mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
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
