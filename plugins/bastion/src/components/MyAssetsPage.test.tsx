import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useEffect } from 'react';
import type { Asset } from '../api/BastionClient';
import { hostsToOpen, MyAssetsPage } from './MyAssetsPage';

// Each mounted host terminal stands for one live bastion session.
const live = new Map<string, number>();
let mounts = 0;
jest.mock('./HostTerminal', () => ({
  HostTerminal: (props: { host: string; active?: boolean }) => {
    useEffect(() => {
      const id = `${props.host}#${++mounts}`;
      live.set(id, 1);
      return () => {
        live.delete(id);
      };
    }, [props.host]);
    return (
      <div data-testid="fake-terminal">
        {props.host} {props.active ? 'in front' : 'behind'}
      </div>
    );
  },
}));

const asset = (name: string, more: Partial<Asset> = {}): Asset => ({
  name,
  entityRef: `resource:default/${name}`,
  address: '127.0.0.1',
  port: 22301,
  tags: ['web'],
  loginUsers: ['opsdeck'],
  expiresAt: '2026-12-03T20:00:00Z',
  mfaRequired: false,
  ...more,
});

async function renderPage(items: Asset[], initialRouteEntries?: string[]) {
  const calls: string[] = [];
  const fetch = jest.fn(async (input: RequestInfo | URL) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url);
    return new Response(JSON.stringify({ items, truncated: false }), {
      headers: { 'Content-Type': 'application/json' },
    });
  });
  await renderInTestApp(<MyAssetsPage />, {
    initialRouteEntries,
    apis: [
      mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
      mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
      mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
    ] as const,
  } as any);
  return calls;
}

describe('My assets', () => {
  beforeEach(() => {
    live.clear();
  });

  it('groups the hosts by system and environment, shows their facts and searches them', async () => {
    const calls = await renderPage([
      asset('pay-app-01', {
        system: 'system:default/payments',
        environment: 'prod',
        mfaRequired: true,
        loginUsers: ['deploy', 'opsdeck'],
        facts: { reachable: true, os: 'Debian GNU/Linux 12', cpuCount: 2 },
      }),
      asset('web-02', {
        system: 'system:default/shop',
        environment: 'staging',
        facts: { reachable: false },
      }),
      asset('build-01', { tags: ['ci'] }),
    ]);
    const groups = await screen.findAllByTestId('my-assets-group');
    expect(groups.map(g => g.getAttribute('aria-label'))).toEqual([
      'payments · prod',
      'shop · staging',
      'No system · No environment',
    ]);
    expect(calls).toEqual(['http://localhost:7007/api/bastion/my-assets']);
    const pay = within(groups[0]);
    expect(pay.getByText('Reachable')).toBeInTheDocument();
    expect(pay.getByText('Two-factor')).toBeInTheDocument();
    expect(pay.getByText('Debian GNU/Linux 12 · 2 CPU')).toBeInTheDocument();
    expect(pay.getByText(/Login: deploy, opsdeck/)).toBeInTheDocument();
    expect(within(groups[1]).getByText('Unreachable')).toBeInTheDocument();
    expect(
      within(groups[2]).getByText('Facts not collected'),
    ).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Search hosts'), 'ci');
    expect(screen.getAllByTestId('my-asset').map(r => r.textContent)).toEqual([
      expect.stringContaining('build-01'),
    ]);
    await userEvent.clear(screen.getByLabelText('Search hosts'));
    await userEvent.type(screen.getByLabelText('Search hosts'), 'nothing');
    expect(screen.getByText('No host matches “nothing”.')).toBeInTheDocument();
    expect(screen.queryAllByTestId('my-asset')).toHaveLength(0);
  });

  it('opens each terminal in its own tab, keeps the others open behind, and ends one when its tab closes', async () => {
    await renderPage([asset('web-01'), asset('web-02')]);
    expect(
      await screen.findByTestId('terminal-workspace-empty'),
    ).toBeInTheDocument();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Open a terminal on web-01' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Open a terminal on web-02' }),
    );
    // a second terminal on the same host is a session of its own
    await userEvent.click(
      screen.getByRole('button', { name: 'Open a terminal on web-01' }),
    );
    expect(screen.getAllByRole('tab').map(tab => tab.textContent)).toEqual([
      'web-01',
      'web-02',
      'web-01',
    ]);
    expect(live.size).toBe(3);
    const terminals = () =>
      screen.getAllByTestId('fake-terminal').map(el => el.textContent);
    expect(terminals()).toEqual([
      'web-01 behind',
      'web-02 behind',
      'web-01 in front',
    ]);
    // only the tab in front is shown
    expect(screen.getAllByRole('tabpanel')).toHaveLength(1);

    await userEvent.click(screen.getAllByRole('tab')[0]);
    expect(terminals()).toEqual([
      'web-01 in front',
      'web-02 behind',
      'web-01 behind',
    ]);
    expect(live.size).toBe(3);

    // closing the tab in front ends its session and brings its neighbour forward
    await userEvent.click(
      screen.getAllByRole('button', {
        name: 'Close the terminal on web-01',
      })[0],
    );
    await waitFor(() => expect(live.size).toBe(2));
    expect(screen.getAllByRole('tab').map(tab => tab.textContent)).toEqual([
      'web-02',
      'web-01',
    ]);
    expect(terminals()).toEqual(['web-02 in front', 'web-01 behind']);
  });

  it('explains why nothing is listed to someone who holds no grant', async () => {
    await renderPage([]);
    const empty = await screen.findByTestId('my-assets-empty');
    expect(
      within(empty).getByText('No host to open a terminal on'),
    ).toBeInTheDocument();
    expect(
      within(empty).getByText(/You hold no access grant in force/),
    ).toBeInTheDocument();
    expect(
      within(empty).getByRole('button', { name: 'Request server access' }),
    ).toHaveAttribute(
      'href',
      '/create/templates/default/request-server-access',
    );
    expect(screen.queryByText('Nothing yet')).toBeNull();
  });

  it('opens a tab per host of ?open= (the Hosts page selection) and reports the hosts without a grant', async () => {
    const calls = await renderPage(
      [asset('web-01'), asset('web-02'), asset('db-1')],
      ['/?open=web-02,prod-db,db-1,web-02,../x'],
    );
    await waitFor(() =>
      expect(screen.getAllByRole('tab').map(tab => tab.textContent)).toEqual([
        'web-02',
        'db-1',
      ]),
    );
    expect(live.size).toBe(2);
    expect(screen.getByTestId('terminals-refused')).toHaveTextContent(
      'Not opened (no access grant for you now): prod-db, ../x',
    );
    // the names are only compared with the assets, never sent
    expect(calls).toEqual(['http://localhost:7007/api/bastion/my-assets']);
  });

  it('opens at most 10 terminals from ?open=', () => {
    const names = Array.from({ length: 12 }, (_, i) => `h${i}`);
    expect(
      hostsToOpen(
        names.join(','),
        names.map(name => ({ name })),
      ).open,
    ).toHaveLength(10);
    expect(hostsToOpen(null, [{ name: 'a' }])).toEqual({
      open: [],
      refused: [],
    });
  });
});
