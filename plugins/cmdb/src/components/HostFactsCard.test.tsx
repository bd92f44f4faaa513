import type { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  createExtensionTester,
  mockApis,
} from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { hostFactsCard, isHostEntity } from '../plugin';
import { HostFactsCard } from './HostFactsCard';
import {
  apis,
  callsTo,
  errorBody,
  fakeBackend,
  FakeFetch,
  host,
  json,
} from '../__testUtils__/fakeBackend';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'db-1', namespace: 'default' },
  spec: { type: 'host', owner: 'group:default/ops' },
};

const GiB = 1024 ** 3;

const facts = host('db-1', {
  address: '192.0.2.5',
  os: 'Ubuntu 24.04.1 LTS',
  kernel: '6.8.0-45-generic',
  cpuCount: 8,
  cpuModel: 'AMD EPYC 7763',
  memTotalBytes: 32 * GiB,
  disks: [
    { mount: '/', sizeBytes: 100 * GiB, usedBytes: 25 * GiB },
    {
      mount: '/var/lib/postgresql',
      sizeBytes: 500 * GiB,
      usedBytes: 475 * GiB,
    },
  ],
  ips: ['192.0.2.5', '2001:db8::5'],
  uptimeSeconds: 3 * 86400 + 4 * 3600,
  collectedAt: '2026-03-01T10:00:00.000Z',
  lastOkAt: '2026-03-01T10:00:00.000Z',
});

const auditEvents = {
  items: [
    {
      id: 7,
      time: '2026-03-01T10:00:00.000Z',
      plugin: 'cmdb',
      action: 'host-collect',
      severity: 'low',
      status: 'succeeded',
      actor: 'user:default/alice',
      target: 'resource:default/db-1',
      meta: {},
    },
    {
      id: 6,
      time: '2026-02-28T09:00:00.000Z',
      plugin: 'cmdb',
      action: 'host-create',
      severity: 'medium',
      status: 'failed',
      actor: 'user:default/bob',
      target: 'resource:default/db-1',
      error: 'duplicate',
      meta: {},
    },
  ],
};

function backend(
  overrides: {
    get?: () => Response;
    collect?: () => Response | Promise<Response>;
    audit?: () => Response;
    hostKey?: {
      fingerprint?: string;
      pending?: { fingerprint: string; offeredAt: string };
    };
    resetHostKey?: () => Response;
  } = {},
): FakeFetch {
  const pin = overrides.hostKey ?? { fingerprint: 'SHA256:pinnedKeyOfDb1' };
  return fakeBackend((url, init) => {
    const method = init?.method ?? 'GET';
    if (url.pathname === '/api/cmdb/hosts/db-1/host-key') {
      if (method === 'GET') return json({ hostId: '192.0.2.5', ...pin });
      if (method === 'DELETE') {
        const res =
          overrides.resetHostKey?.() ?? new Response(null, { status: 204 });
        if (res.status === 204) delete pin.fingerprint;
        return res;
      }
    }
    if (url.pathname === '/api/cmdb/hosts/db-1/host-key/accept') {
      pin.fingerprint = pin.pending?.fingerprint;
      delete pin.pending;
      return json({ hostId: '192.0.2.5', fingerprint: pin.fingerprint });
    }
    if (url.pathname === '/api/cmdb/hosts/db-1' && method === 'GET') {
      return overrides.get?.() ?? json(facts);
    }
    if (url.pathname === '/api/cmdb/hosts/db-1/collect' && method === 'POST') {
      return overrides.collect?.() ?? json(facts);
    }
    if (url.pathname === '/api/audit/events') {
      return overrides.audit?.() ?? json(auditEvents);
    }
    return errorBody(404, 'NotFoundError', `no ${method} ${url.pathname}`);
  });
}

async function renderCard(
  fetch: FakeFetch,
  extraApis: ReturnType<typeof mockApis.permission>[] = [],
) {
  return renderInTestApp(
    <EntityProvider entity={entity}>
      <HostFactsCard />
    </EntityProvider>,
    { apis: [...apis(fetch), ...extraApis] },
  );
}

function fact(label: string) {
  const row = screen
    .getAllByTestId('host-fact')
    .find(el => el.querySelector('dt')?.textContent === label);
  if (!row) throw new Error(`no fact ${label}`);
  return row.querySelector('dd')!;
}

describe('HostFactsCard', () => {
  it('shows the collected facts and recent activity', async () => {
    const fetch = backend();
    await renderCard(fetch);

    expect(await screen.findByText('Ubuntu 24.04.1 LTS')).toBeInTheDocument();
    expect(screen.getByText('Host facts')).toBeInTheDocument();
    expect(fact('Kernel')).toHaveTextContent('6.8.0-45-generic');
    expect(fact('CPU')).toHaveTextContent('8 × AMD EPYC 7763');
    expect(fact('Memory')).toHaveTextContent('32 GiB');
    expect(fact('IP addresses')).toHaveTextContent('192.0.2.5, 2001:db8::5');
    expect(fact('Uptime')).toHaveTextContent('3d 4h');
    expect(fact('Address')).toHaveTextContent('192.0.2.5:22');
    expect(fact('Collected at')).toHaveTextContent(
      new Date('2026-03-01T10:00:00.000Z').toLocaleString(),
    );

    const disks = screen.getAllByTestId('host-disk');
    expect(disks).toHaveLength(2);
    expect(disks[0]).toHaveTextContent('/ 25 GiB of 100 GiB used (25%)');
    expect(disks[1]).toHaveTextContent(
      '/var/lib/postgresql 475 GiB of 500 GiB used (95%)',
    );
    expect(
      within(disks[1]).getByRole('progressbar', {
        name: '/var/lib/postgresql',
      }),
    ).toHaveAttribute('aria-valuenow', '95');
    expect(screen.queryByTestId('host-unreachable')).not.toBeInTheDocument();

    const activity = await screen.findAllByTestId('host-activity');
    expect(activity).toHaveLength(2);
    expect(activity[0]).toHaveTextContent('host-collect');
    expect(activity[0]).toHaveTextContent('user:default/alice');
    expect(activity[1]).toHaveTextContent('duplicate');

    const audit = callsTo(fetch, '/api/audit/events');
    expect(audit[0].url.searchParams.get('target')).toBe(
      'resource:default/db-1',
    );
    expect(audit[0].url.searchParams.get('limit')).toBe('10');
  });

  it('shows a red banner for an unreachable host', async () => {
    const fetch = backend({
      get: () =>
        json({
          ...facts,
          reachable: false,
          error: 'ssh: connect to host 192.0.2.5 port 22: No route to host',
          lastOkAt: '2026-02-27T08:30:00.000Z',
        }),
    });
    await renderCard(fetch);
    const banner = await screen.findByTestId('host-unreachable');
    expect(banner).toHaveTextContent(
      'The host is unreachable: ssh: connect to host 192.0.2.5 port 22: No route to host',
    );
    expect(banner).toHaveTextContent(
      `Last reachable: ${new Date(
        '2026-02-27T08:30:00.000Z',
      ).toLocaleString()}`,
    );
    // the last facts are still shown
    expect(screen.getByText('Ubuntu 24.04.1 LTS')).toBeInTheDocument();
  });

  it('says when a host has never been reachable', async () => {
    const fetch = backend({
      get: () => json(host('db-1', { reachable: false, error: 'auth failed' })),
    });
    await renderCard(fetch);
    const banner = await screen.findByTestId('host-unreachable');
    expect(banner).toHaveTextContent('The host is unreachable: auth failed');
    expect(banner).toHaveTextContent('It has never been reachable.');
    expect(
      screen.getByText('No facts have been collected from this host yet.'),
    ).toBeInTheDocument();
  });

  it('collects facts now, shows progress, then the new facts', async () => {
    let release: () => void = () => {};
    const fetch = backend({
      collect: () =>
        new Promise<Response>(resolve => {
          release = () =>
            resolve(
              json({
                ...facts,
                os: 'Ubuntu 24.04.2 LTS',
                collectedAt: '2026-03-02T12:00:00.000Z',
              }),
            );
        }),
    });
    await renderCard(fetch);
    await screen.findByText('Ubuntu 24.04.1 LTS');
    await screen.findAllByTestId('host-activity');

    await userEvent.click(screen.getByRole('button', { name: 'Collect now' }));
    expect(await screen.findByText('Collecting facts…')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Collect now' })).toBeDisabled();

    release();
    expect(await screen.findByText('Ubuntu 24.04.2 LTS')).toBeInTheDocument();
    expect(screen.getByText('Facts collected.')).toBeInTheDocument();
    expect(screen.queryByText('Collecting facts…')).not.toBeInTheDocument();
    expect(callsTo(fetch, '/api/cmdb/hosts/db-1/collect')).toEqual([
      expect.objectContaining({ method: 'POST' }),
    ]);
    // the activity is reloaded to show the collection
    await waitFor(() =>
      expect(callsTo(fetch, '/api/audit/events')).toHaveLength(2),
    );
  });

  it('explains a missing permission to collect', async () => {
    const fetch = backend({
      collect: () => errorBody(403, 'NotAllowedError', 'denied'),
    });
    await renderCard(fetch);
    await screen.findByText('Ubuntu 24.04.1 LTS');
    await userEvent.click(screen.getByRole('button', { name: 'Collect now' }));
    expect(
      await screen.findByText(
        'You do not have permission to collect facts from this host',
      ),
    ).toBeInTheDocument();
    // the facts already shown stay
    expect(screen.getByText('Ubuntu 24.04.1 LTS')).toBeInTheDocument();
  });

  it('shows the pinned host key and lets an admin forget it after confirming', async () => {
    const fetch = backend();
    await renderCard(fetch);
    const row = await screen.findByTestId('host-key');
    expect(
      await within(row).findByText('SHA256:pinnedKeyOfDb1'),
    ).toBeInTheDocument();

    await userEvent.click(
      within(row).getByRole('button', { name: 'Forget host key' }),
    );
    expect(
      screen.getByText(/Forget the host key pinned for 192\.0\.2\.5\?/),
    ).toBeInTheDocument();
    expect(callsTo(fetch, '/api/cmdb/hosts/db-1/host-key')).toEqual([
      expect.objectContaining({ method: 'GET' }),
    ]);
    await userEvent.click(screen.getByRole('button', { name: 'Forget key' }));
    expect(
      await screen.findByText(
        'Host key forgotten. The next connection pins the key the host presents.',
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        'Not pinned yet: a key login pins the first key the host presents; a password login waits for an admin to accept it.',
      ),
    ).toBeInTheDocument();
    expect(
      callsTo(fetch, '/api/cmdb/hosts/db-1/host-key').map(c => c.method),
    ).toContain('DELETE');
  });

  it('shows a key offered at first contact; an admin accepts exactly that key', async () => {
    const offered = 'SHA256:offeredByDb1AtFirstContact';
    const fetch = backend({
      hostKey: {
        pending: { fingerprint: offered, offeredAt: '2026-12-01T10:00:00Z' },
      },
    });
    await renderCard(fetch, [
      mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
    ]);
    const pending = await screen.findByTestId('host-key-pending');
    expect(
      within(pending).getByText(new RegExp(`The host offered ${offered}`)),
    ).toBeInTheDocument();
    await userEvent.click(
      within(pending).getByRole('button', { name: 'Accept key' }),
    );
    expect(
      await screen.findByText('Host key accepted and pinned.'),
    ).toBeInTheDocument();
    expect(await screen.findByText(offered)).toBeInTheDocument();
    const accept = fetch.mock.calls.find(([u]) =>
      String(u).endsWith('/host-key/accept'),
    );
    expect(JSON.parse(String(accept?.[1]?.body))).toEqual({
      fingerprint: offered,
    });
  });

  it('explains that only admins forget host keys', async () => {
    const fetch = backend({
      resetHostKey: () => errorBody(403, 'NotAllowedError', 'denied'),
    });
    await renderCard(fetch);
    const row = await screen.findByTestId('host-key');
    await userEvent.click(
      await within(row).findByRole('button', { name: 'Forget host key' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Forget key' }));
    expect(
      await screen.findByText('Only admins can forget a pinned host key'),
    ).toBeInTheDocument();
    expect(within(row).getByText('SHA256:pinnedKeyOfDb1')).toBeInTheDocument();
  });

  it('explains load errors', async () => {
    const fetch = backend({
      get: () => errorBody(404, 'NotFoundError', 'no host'),
      audit: () => errorBody(403, 'NotAllowedError', 'denied'),
    });
    await renderCard(fetch);
    expect(
      await screen.findByText('This host is not in the CMDB'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        'You do not have permission to read the audit log for this host',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Collect now' })).toBeDisabled();
  });
});

describe('host facts card extension', () => {
  it('is shown only for Resource entities of type host', () => {
    expect(isHostEntity(entity)).toBe(true);
    expect(isHostEntity({ ...entity, kind: 'resource' })).toBe(true);
    expect(isHostEntity({ ...entity, spec: { type: 'database' } })).toBe(false);
    expect(isHostEntity({ ...entity, kind: 'Component' })).toBe(false);
    expect(isHostEntity({ ...entity, spec: undefined })).toBe(false);

    const tester = createExtensionTester(hostFactsCard, {
      apis: [mockApis.translation()],
    });
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter).toBeInstanceOf(Function);
    expect(filter!(entity)).toBe(true);
    expect(filter!({ ...entity, kind: 'Component' })).toBe(false);
  });
});
