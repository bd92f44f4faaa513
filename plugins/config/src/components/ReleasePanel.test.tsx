import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ReleasePanel } from './ReleasePanel';

const release = (status: string, states: string[], extra: object = {}) => ({
  id: 3,
  setId: 7,
  version: 2,
  action: 'push',
  status,
  batchSize: 1,
  pauseSeconds: 0,
  confirmFirstBatch: true,
  nextBatch: 1,
  createdBy: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  hosts: states.map((state, position) => ({
    host: `resource:default/web-0${position}`,
    position,
    state,
  })),
  ...extra,
});

function backend(
  first = release('paused', ['done', 'pending', 'pending']),
  aborted = release('aborted', ['done', 'aborted', 'aborted'], {
    abortedBy: 'user:default/alice',
  }),
) {
  let current = first;
  const calls: string[] = [];
  const json = (x: unknown, status = 200) =>
    new Response(JSON.stringify(x), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      const method =
        (input instanceof Request ? input.method : init?.method) ?? 'GET';
      calls.push(`${method} ${url.replace(/^.*\/api\/config/, '')}`);
      if (url.endsWith('/releases/3/continue')) {
        current = release('done', ['done', 'done', 'done']);
      } else if (url.endsWith('/releases/3/abort')) {
        current = aborted;
      }
      return json(current);
    },
  );
  return { fetch, calls };
}

async function render(
  canControl: boolean,
  states?: Parameters<typeof backend>,
) {
  const { fetch, calls } = backend(...(states ?? []));
  await renderInTestApp(
    <ReleasePanel releaseId={3} canControl={canControl} />,
    {
      apis: [
        mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
      ] as const,
    } as any,
  );
  return calls;
}

describe('ReleasePanel: a paused release', () => {
  it('shows progress and continues it', async () => {
    const calls = await render(true);
    expect(
      await screen.findByText(
        'Paused after a batch: waiting for someone to continue or abort.',
        { exact: false },
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('config-release-progress')).toHaveTextContent(
      '1 of 3 hosts done',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() =>
      expect(screen.getByTestId('config-release-progress')).toHaveTextContent(
        '3 of 3 hosts done',
      ),
    );
    expect(calls).toContain('POST /releases/3/continue');
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull();
  });

  it('aborts it', async () => {
    const calls = await render(true);
    fireEvent.click(await screen.findByRole('button', { name: 'Abort' }));
    await waitFor(() =>
      expect(screen.getByTestId('config-release')).toHaveAttribute(
        'data-status',
        'aborted',
      ),
    );
    expect(calls).toContain('POST /releases/3/abort');
    expect(screen.getByTestId('config-release-aborted')).toHaveTextContent(
      'Aborted by alice: hosts not yet started were never pushed.',
    );
    expect(screen.getAllByText('Not pushed (aborted)')).toHaveLength(2);
  });

  it('offers no Continue or Abort to someone who may not push', async () => {
    await render(false);
    expect(
      await screen.findByTestId('config-release-paused'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Abort' })).toBeNull();
  });
});

describe('ReleasePanel: a running release', () => {
  const running = release('running', ['reloading', 'pending', 'pending']);
  const aborting = release('aborting', ['reloading', 'aborted', 'aborted'], {
    abortedBy: 'user:default/alice',
  });

  it('aborts it: the host mid-push finishes its step', async () => {
    const calls = await render(true, [running, aborting]);
    fireEvent.click(await screen.findByRole('button', { name: 'Abort' }));
    await waitFor(() =>
      expect(screen.getByTestId('config-release')).toHaveAttribute(
        'data-status',
        'aborting',
      ),
    );
    expect(calls).toContain('POST /releases/3/abort');
    expect(screen.getByTestId('config-release-aborted')).toHaveTextContent(
      'Aborted by alice: the hosts already started finish their own step',
    );
    expect(screen.queryByRole('button', { name: 'Abort' })).toBeNull();
  });

  it('offers no Abort to someone who may not push', async () => {
    await render(false, [running, aborting]);
    expect(await screen.findByText('Reloading')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Abort' })).toBeNull();
  });
});

describe('ReleasePanel: a release pushed without reload', () => {
  const swapped = release('swapped', ['swapped', 'swapped'], { reload: false });
  const reloaded = release('done', ['done', 'done'], {
    reload: false,
    reloadedBy: 'user:default/bob',
  });

  /** The reload step on a prod host without config.push.prod: approval, then the ticket. */
  async function renderGated(canControl: boolean) {
    let current: object = swapped;
    const reloads: unknown[] = [];
    const json = (x: unknown, status = 200) =>
      new Response(JSON.stringify(x), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    const fetch = jest.fn(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input instanceof Request ? input.url : input);
        if (url.endsWith('/releases/3/reload')) {
          const body =
            input instanceof Request ? await input.clone().text() : init?.body;
          const sent = JSON.parse(String(body || '{}'));
          reloads.push(sent);
          if (sent.requestApproval) {
            return json(
              {
                approvalTicket: {
                  ticketId: 12,
                  url: '/tickets/12',
                  approvers: ['group:default/admins'],
                },
              },
              202,
            );
          }
          if (sent.approvalTicket === 12) {
            current = reloaded;
            return json({ ...reloaded, status: 'reloading' });
          }
          return json(
            {
              error: { name: 'ApprovalRequiredError', message: 'Reloading …' },
              response: { statusCode: 403 },
              approvalRequired: true,
            },
            403,
          );
        }
        return json(current);
      },
    );
    await renderInTestApp(
      <ReleasePanel releaseId={3} canControl={canControl} />,
      {
        apis: [
          mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
          mockApis.fetch({
            baseImplementation: fetch as typeof globalThis.fetch,
          }),
        ] as const,
      } as any,
    );
    return reloads;
  }

  it('says the reload is pending and reloads through an approval', async () => {
    const reloads = await renderGated(true);
    expect(
      await screen.findByTestId('config-release-swapped'),
    ).toHaveTextContent(
      'Pushed without reload: the new file is in place on 2 host(s), not loaded yet.',
    );
    expect(screen.getAllByText('Swapped, awaiting reload')).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Reload now' }));
    const panel = await screen.findByTestId('config-reload-approval');
    expect(panel).toHaveTextContent(
      'This reload touches prod hosts: you may run it once another person approves it through a ticket.',
    );
    fireEvent.click(
      within(panel).getByRole('button', { name: 'Request approval' }),
    );
    expect(await screen.findByText('Open ticket 12')).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Reload with approved ticket' }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('config-release')).toHaveAttribute(
        'data-status',
        'done',
      ),
    );
    expect(reloads).toEqual([
      {},
      { requestApproval: true },
      { approvalTicket: 12 },
    ]);
    expect(screen.getByTestId('config-release-reloaded')).toHaveTextContent(
      'Reloaded by bob.',
    );
    expect(screen.queryByRole('button', { name: 'Reload now' })).toBeNull();
  });

  it('offers no Reload now to someone who may not push', async () => {
    await renderGated(false);
    expect(
      await screen.findByTestId('config-release-swapped'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Reload now' })).toBeNull();
  });
});
