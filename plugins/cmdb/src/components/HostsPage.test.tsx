import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  cleanup,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setDisplayLanguage } from '@opsdeck/plugin-opsdeck-common';
import { hostsPage } from '../plugin';
import { HostsPage } from './HostsPage';
import {
  apis,
  callsTo,
  errorBody,
  fakeBackend,
  host,
  json,
} from '../__testUtils__/fakeBackend';

const firstPage = {
  items: [
    host('db-1', {
      address: '192.0.2.5',
      port: 2222,
      system: 'payments',
      tags: ['postgres', 'primary'],
      os: 'Ubuntu 24.04',
      uptimeSeconds: 93784, // 1d 2h
      collectedAt: new Date(Date.now() - 5 * 60 * 1000).toISOString(),
    }),
    host('web-1', {
      reachable: false,
      error: 'connect ECONNREFUSED',
    }),
    host('web-2', { reachable: null, environment: 'staging' }),
  ],
  nextCursor: 'web-2',
  total: 4,
};

function hostsBackend() {
  return fakeBackend(url => {
    if (url.pathname === '/api/cmdb/hosts') {
      if (url.searchParams.get('after') === 'web-2') {
        return json({ items: [host('web-3')] });
      }
      return json(firstPage);
    }
    if (url.pathname === '/api/cmdb/hosts/export.csv') {
      return new Response('name,address\ndb-1,192.0.2.5\n', {
        headers: { 'Content-Type': 'text/csv' },
      });
    }
    return errorBody(404, 'NotFoundError', 'nope');
  });
}

const listCalls = (fetch: ReturnType<typeof fakeBackend>) =>
  callsTo(fetch, '/api/cmdb/hosts').map(c => c.url);

describe('HostsPage', () => {
  it('renders a page of hosts with their columns', async () => {
    const fetch = hostsBackend();
    await renderInTestApp(<HostsPage />, { apis: apis(fetch) });

    const rows = await screen.findAllByTestId('host-row');
    expect(rows).toHaveLength(3);
    for (const header of [
      'Name',
      'Address',
      'Environment',
      'Owner',
      'System',
      'Tags',
      'Reachability',
      'OS',
      'Uptime',
      'Facts age',
    ]) {
      expect(
        screen.getByRole('columnheader', { name: header }),
      ).toBeInTheDocument();
    }

    const db = within(rows[0]);
    expect(db.getByRole('link', { name: 'db-1' })).toHaveAttribute(
      'href',
      '/catalog/default/resource/db-1',
    );
    expect(db.getByText('192.0.2.5:2222')).toBeInTheDocument();
    expect(db.getByText('prod')).toBeInTheDocument();
    expect(db.getByText('group:default/ops')).toBeInTheDocument();
    expect(db.getByText('payments')).toBeInTheDocument();
    expect(db.getByText('postgres')).toBeInTheDocument();
    expect(db.getByText('primary')).toBeInTheDocument();
    expect(db.getByText('Reachable')).toBeInTheDocument();
    expect(db.getByText('Ubuntu 24.04')).toBeInTheDocument();
    expect(db.getByText('1d 2h')).toBeInTheDocument();
    expect(db.getByText('5m ago')).toBeInTheDocument();

    const web1 = within(rows[1]);
    expect(web1.getByText('Unreachable')).toBeInTheDocument();
    expect(web1.getByText('never')).toBeInTheDocument();
    await userEvent.hover(web1.getByText('Unreachable'));
    expect(
      await screen.findByRole('tooltip', { name: 'connect ECONNREFUSED' }),
    ).toBeInTheDocument();

    expect(within(rows[2]).getByText('Unknown')).toBeInTheDocument();
    expect(screen.getByText('4 hosts')).toBeInTheDocument();

    // one page at a time, never the whole list
    const params = listCalls(fetch)[0].searchParams;
    expect(params.get('limit')).toBe('50');
    expect(params.get('after')).toBeNull();
  });

  it('sends the filters with the query and in the export link', async () => {
    const fetch = hostsBackend();
    await renderInTestApp(<HostsPage />, { apis: apis(fetch) });
    await screen.findAllByTestId('host-row');

    fireEvent.mouseDown(screen.getByLabelText('Environment'));
    let listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Any', 'prod', 'staging', 'dev', 'test']);
    await userEvent.click(
      within(listbox).getByRole('option', { name: 'staging' }),
    );

    fireEvent.mouseDown(screen.getByLabelText('Reachability'));
    listbox = await screen.findByRole('listbox');
    await userEvent.click(
      within(listbox).getByRole('option', { name: 'Unreachable' }),
    );

    await userEvent.type(screen.getByLabelText('Owner'), 'group:default/dba');
    await userEvent.type(screen.getByLabelText('System'), 'payments');
    await userEvent.type(screen.getByLabelText('Tag'), 'postgres');
    await userEvent.type(screen.getByLabelText('Name'), 'db');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));

    await waitFor(() => expect(listCalls(fetch)).toHaveLength(2));
    const params = listCalls(fetch)[1].searchParams;
    expect(Object.fromEntries(params)).toEqual({
      environment: 'staging',
      reachable: 'false',
      owner: 'group:default/dba',
      system: 'payments',
      tag: 'postgres',
      q: 'db',
      limit: '50',
    });

    const link = await screen.findByRole('link', { name: 'Export CSV' });
    await waitFor(() => {
      const href = new URL(link.getAttribute('href')!);
      expect(href.pathname).toBe('/api/cmdb/hosts/export.csv');
      expect(Object.fromEntries(href.searchParams)).toEqual({
        environment: 'staging',
        reachable: 'false',
        owner: 'group:default/dba',
        system: 'payments',
        tag: 'postgres',
        q: 'db',
      });
    });

    // Reset clears every filter
    await userEvent.click(screen.getByRole('button', { name: 'Reset' }));
    await waitFor(() => expect(listCalls(fetch)).toHaveLength(3));
    expect(Object.fromEntries(listCalls(fetch)[2].searchParams)).toEqual({
      limit: '50',
    });
  });

  it('downloads the CSV through the fetch API (with the user token)', async () => {
    const createObjectURL = jest.fn(() => 'blob:hosts');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    try {
      const fetch = hostsBackend();
      await renderInTestApp(<HostsPage />, { apis: apis(fetch) });
      await screen.findAllByTestId('host-row');
      await userEvent.type(screen.getByLabelText('Tag'), 'edge');
      await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
      await waitFor(() =>
        expect(
          screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href'),
        ).toContain('tag=edge'),
      );

      fireEvent.click(screen.getByRole('link', { name: 'Export CSV' }));
      await waitFor(() => expect(createObjectURL).toHaveBeenCalled());
      const exports = callsTo(fetch, '/api/cmdb/hosts/export.csv');
      expect(exports).toHaveLength(1);
      expect(exports[0].url.searchParams.get('tag')).toBe('edge');
      expect(click).toHaveBeenCalled();
    } finally {
      click.mockRestore();
    }
  });

  it('pages forward and back with the cursor and keeps the total', async () => {
    const fetch = hostsBackend();
    await renderInTestApp(<HostsPage />, { apis: apis(fetch) });
    await screen.findAllByTestId('host-row');
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled();
    expect(screen.getByText('Page 1')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(
      await screen.findByRole('link', { name: 'web-3' }),
    ).toBeInTheDocument();
    expect(screen.getAllByTestId('host-row')).toHaveLength(1);
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.getByText('4 hosts')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    const second = listCalls(fetch).at(-1)!.searchParams;
    expect(second.get('after')).toBe('web-2');
    expect(second.get('limit')).toBe('50');

    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    expect(
      await screen.findByRole('link', { name: 'db-1' }),
    ).toBeInTheDocument();
    expect(listCalls(fetch).at(-1)!.searchParams.get('after')).toBeNull();
  });

  it('explains a permission error', async () => {
    const fetch = fakeBackend(() =>
      errorBody(403, 'NotAllowedError', 'denied'),
    );
    await renderInTestApp(<HostsPage />, { apis: apis(fetch) });
    expect(
      await screen.findByText('You do not have permission to list hosts'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('host-row')).not.toBeInTheDocument();
  });

  it('shows other errors with the server message', async () => {
    const fetch = fakeBackend(() =>
      errorBody(500, 'Error', 'database is down'),
    );
    await renderInTestApp(<HostsPage />, { apis: apis(fetch) });
    await waitFor(() =>
      expect(document.body.textContent).toContain(
        'Something went wrong: database is down',
      ),
    );
  });

  it('shows an empty state', async () => {
    const fetch = fakeBackend(() => json({ items: [], total: 0 }));
    await renderInTestApp(<HostsPage />, { apis: apis(fetch) });
    expect(
      await screen.findByText('No hosts match these filters.'),
    ).toBeInTheDocument();
    expect(screen.getByText('0 hosts')).toBeInTheDocument();
  });

  it('is translated to Simplified Chinese', async () => {
    const fetch = hostsBackend();
    await renderInTestApp(<HostsPage />, {
      apis: [
        ...apis(fetch),
        mockApis.appLanguage({
          defaultLanguage: 'zh-CN',
          availableLanguages: ['en', 'zh-CN'],
        }),
      ],
    });
    expect(
      // the zh-CN messages load lazily: slower than findBy's 1 s on a busy machine
      await screen.findByRole(
        'columnheader',
        { name: '可达性' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '应用' })).toBeInTheDocument();
    expect(screen.getByText('共 4 台主机')).toBeInTheDocument();
  });
});

describe('hosts page failures in zh-CN', () => {
  // the app's language sync sets what opsdeck-common writes in
  beforeEach(() => setDisplayLanguage('zh-CN'));
  afterEach(() => setDisplayLanguage(undefined));

  it('says a failed list and a failed export by opsdeck’s code in Chinese, not the server’s English', async () => {
    const failing = (status: number, code: string) =>
      json(
        {
          error: {
            name: 'Error',
            message: 'An internal error occurred (reference 0123456789abcdef)',
            code,
            reference: '0123456789abcdef',
          },
          request: { method: 'GET', url: '/' },
          response: { statusCode: status },
        },
        status,
      );
    const render = async (listFails: boolean) => {
      const fetch = fakeBackend(url => {
        if (url.pathname === '/api/cmdb/hosts/export.csv') {
          return failing(503, 'unavailable');
        }
        return listFails ? failing(500, 'internal') : json(firstPage);
      });
      await renderInTestApp(<HostsPage />, {
        apis: [
          ...apis(fetch),
          mockApis.appLanguage({
            defaultLanguage: 'zh-CN',
            availableLanguages: ['en', 'zh-CN'],
          }),
        ],
      });
    };
    await render(true);
    expect(
      await screen.findByText(
        '出错了：服务器内部错误（参考编号 0123456789abcdef）',
        {},
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(document.body.textContent).not.toContain('An internal error');
    cleanup();

    await render(false);
    await screen.findAllByTestId('host-row', {}, { timeout: 15_000 });
    await waitFor(() =>
      expect(
        screen.getByRole('link', { name: '导出 CSV' }).getAttribute('href'),
      ).not.toBe('#'),
    );
    fireEvent.click(screen.getByRole('link', { name: '导出 CSV' }));
    expect(
      await screen.findByText('无法导出主机：服务暂不可用，请稍后重试。'),
    ).toBeInTheDocument();
  });
});

describe('hosts page extension', () => {
  it('mounts at /hosts with a nav title and icon', () => {
    const tester = createExtensionTester(hostsPage, {
      apis: [mockApis.translation()],
    });
    expect(tester.get(coreExtensionData.routePath)).toBe('/hosts');
    expect(tester.get(coreExtensionData.icon)).toBeTruthy();
    expect(tester.get(coreExtensionData.titleTranslation)).toMatchObject({
      key: 'page.title',
    });
  });
});
