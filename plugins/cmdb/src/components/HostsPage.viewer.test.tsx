import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor } from '@testing-library/react';
import { HostsPage } from './HostsPage';
import { apis, fakeBackend, host, json } from '../__testUtils__/fakeBackend';

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

// A file of its own: usePermission caches answers for the whole test file.
describe('host bulk actions for a viewer', () => {
  it('shows a viewer no bulk actions', async () => {
    await renderPage([]);
    await screen.findAllByTestId('host-row');
    await waitFor(() =>
      expect(screen.queryByTestId('collect-hosts')).not.toBeInTheDocument(),
    );
    expect(screen.queryByTestId('bulk-actions')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Run a command/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Open terminals/ })).toBeNull();
  });
});
