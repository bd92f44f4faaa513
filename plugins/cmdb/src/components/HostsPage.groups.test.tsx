import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HostsPage } from './HostsPage';
import { groupHosts } from './hostGroups';
import { openTerminalsPath, runCommandPath } from './BulkActionsBar';
import {
  apis,
  callsTo,
  fakeBackend,
  host,
  json,
} from '../__testUtils__/fakeBackend';

const hosts = [
  host('db-1', { system: 'payments', tags: ['db', 'primary'] }),
  host('gw-1', { environment: 'staging', reachable: false, tags: ['edge'] }),
  host('web-1', { system: 'shop', reachable: null, tags: ['web'] }),
  host('web-2', { system: 'shop', environment: 'staging', tags: ['web'] }),
  host('build-1', { environment: 'dev', owner: 'group:default/dev' }),
];

function backend() {
  return fakeBackend((url, init) => {
    if (url.pathname === '/api/cmdb/hosts') {
      return json({ items: hosts, total: hosts.length });
    }
    if (url.pathname === '/api/cmdb/collect' && init?.method === 'POST') {
      const { names } = JSON.parse(String(init.body));
      return json({
        hosts: names.length,
        reachable: names.length,
        unreachable: 0,
        items: names.map((name: string) => ({ name, reachable: true })),
      });
    }
    return json({}, 404);
  });
}

/** Allows the named permissions only. */
function permissions(allowed: string[]) {
  return mockApis.permission({
    authorize: request =>
      allowed.includes(request.permission.name)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
  });
}

const ALL = [
  'opsdeck.cmdb.host.collect',
  'opsdeck.jobs.job.manage',
  'opsdeck.jobs.run',
  'opsdeck.bastion.session.open',
];

async function renderPage(allowed: string[] = ALL) {
  const fetch = backend();
  await renderInTestApp(<HostsPage />, {
    apis: [...apis(fetch), permissions(allowed)],
  } as any);
  await screen.findAllByTestId('host-row');
  return fetch;
}

async function groupBy(option: string) {
  await userEvent.click(screen.getByLabelText('Group by'));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

const groupLabels = () =>
  screen.getAllByTestId('host-group').map(g => g.getAttribute('aria-label'));

describe('host groups', () => {
  it('groups by each field, hosts without one last, with reachable counts', () => {
    const by = (field: 'system' | 'environment' | 'tag' | 'owner') =>
      groupHosts(hosts as any, field).map(g => [
        g.key,
        g.hosts.map(h => h.name).join(' '),
        g.reachable,
        g.unreachable,
      ]);
    expect(by('environment')).toEqual([
      ['dev', 'build-1', 1, 0],
      ['prod', 'db-1 web-1', 1, 0],
      ['staging', 'gw-1 web-2', 1, 1],
    ]);
    expect(by('system')).toEqual([
      ['payments', 'db-1', 1, 0],
      ['shop', 'web-1 web-2', 1, 0],
      ['', 'gw-1 build-1', 1, 1],
    ]);
    // a host is in the group of each of its tags
    expect(by('tag')).toEqual([
      ['db', 'db-1', 1, 0],
      ['edge', 'gw-1', 0, 1],
      ['primary', 'db-1', 1, 0],
      ['web', 'web-1 web-2', 1, 0],
      ['', 'build-1', 1, 0],
    ]);
    expect(by('owner').map(g => g[0])).toEqual([
      'group:default/dev',
      'group:default/ops',
    ]);
  });

  it('shows collapsible groups with counts, reads whole groups and selects a group', async () => {
    const fetch = await renderPage();
    expect(screen.queryAllByTestId('host-group')).toHaveLength(0);
    await groupBy('Environment');
    await waitFor(() =>
      expect(groupLabels()).toEqual(['dev', 'prod', 'staging']),
    );
    // grouped, the page asks for the API's maximum so groups are whole
    expect(
      callsTo(fetch, '/api/cmdb/hosts').map(c =>
        c.url.searchParams.get('limit'),
      ),
    ).toEqual(['50', '500']);
    const staging = screen
      .getAllByTestId('host-group')
      .find(g => g.getAttribute('aria-label') === 'staging')!;
    expect(within(staging).getByTestId('host-group-counts')).toHaveTextContent(
      '2 hosts · 1 reachable · 1 unreachable',
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Collapse staging' }),
    );
    expect(screen.getAllByTestId('host-row').map(r => r.textContent)).toEqual([
      expect.stringContaining('build-1'),
      expect.stringContaining('db-1'),
      expect.stringContaining('web-1'),
    ]);
    await userEvent.click(
      screen.getByRole('button', { name: 'Expand staging' }),
    );
    expect(screen.getAllByTestId('host-row')).toHaveLength(5);

    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select every host of staging' }),
    );
    expect(screen.getByRole('checkbox', { name: 'Select gw-1' })).toBeChecked();
    expect(
      screen.getByRole('checkbox', { name: 'Select web-2' }),
    ).toBeChecked();
    expect(
      screen.getByRole('checkbox', { name: 'Select db-1' }),
    ).not.toBeChecked();

    await userEvent.click(
      screen.getByRole('button', { name: 'Collect selected (2)' }),
    );
    await screen.findByTestId('collect-results');
    const collect = fetch.mock.calls.find(([input]) =>
      String(input).endsWith('/api/cmdb/collect'),
    )!;
    expect(JSON.parse(String(collect[1]?.body))).toEqual({
      names: ['gw-1', 'web-2'],
    });

    // unselecting the group leaves the others; "select all shown" takes all
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select every host of staging' }),
    );
    expect(
      screen.getByRole('button', { name: 'Run a command (0)' }),
    ).toBeDisabled();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select every host on this page' }),
    );
    expect(
      screen.getByRole('button', { name: 'Open terminals (5)' }),
    ).toBeEnabled();
  });

  it('groups without a value under "No system"', async () => {
    await renderPage();
    await groupBy('System');
    await waitFor(() =>
      expect(groupLabels()).toEqual(['payments', 'shop', 'No system']),
    );
  });

  it('shows each bulk action only with its permissions', async () => {
    await renderPage();
    for (const name of [
      'Collect selected (0)',
      'Run a command (0)',
      'Open terminals (0)',
    ]) {
      expect(await screen.findByRole('button', { name })).toBeDisabled();
    }
  });

  it('hands the selection to the jobs ad-hoc dialog and the bastion tabs', () => {
    expect(runCommandPath(['web-1', 'web-2'])).toBe(
      '/jobs?adhoc=web-1%2Cweb-2',
    );
    expect(openTerminalsPath(['web-1', 'db-1'])).toBe(
      '/bastion/assets?open=web-1%2Cdb-1',
    );
    expect(
      new URL(
        openTerminalsPath(Array.from({ length: 12 }, (_, i) => `h${i}`)),
        'http://x',
      ).searchParams
        .get('open')!
        .split(','),
    ).toHaveLength(10);
  });
});
