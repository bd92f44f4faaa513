import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { SetDetailPage } from './SetDetailPage';

const version = {
  setId: 7,
  version: 1,
  template: 'v = 1\n',
  variables: {},
  message: 'm1',
  author: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
};
const release = {
  id: 3,
  setId: 7,
  version: 1,
  action: 'push',
  status: 'running',
  batchSize: 1,
  createdBy: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  hosts: [
    { host: 'resource:default/pay-app-01', position: 0, state: 'pending' },
  ],
};

describe('SetDetailPage push to prod without config.push.prod', () => {
  it('offers Request approval on approvalRequired, then pushes with the approved ticket', async () => {
    const json = (x: unknown, status = 200) =>
      new Response(JSON.stringify(x), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    const pushes: any[] = [];
    const fetch = jest.fn(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input instanceof Request ? input.url : input);
        const body =
          input instanceof Request ? await input.clone().text() : init?.body;
        if (url.endsWith('/sets/7/releases')) {
          const sent = JSON.parse(String(body));
          pushes.push(sent);
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
          if (sent.approvalTicket === 12) return json(release, 201);
          return json(
            {
              error: {
                name: 'ApprovalRequiredError',
                message: 'Pushing to prod hosts (pay-app-01) needs …',
              },
              response: { statusCode: 403 },
              approvalRequired: true,
            },
            403,
          );
        }
        if (url.endsWith('/releases/3')) return json(release);
        if (url.endsWith('/sets/7/versions')) return json({ items: [version] });
        return json({
          id: 7,
          name: 'web',
          kind: 'text',
          owner: 'group:default/ops',
          selector: {},
          targetPath: '/etc/app.conf',
          createdBy: 'user:default/alice',
          createdAt: '2026-12-01T00:00:00Z',
          updatedAt: '2026-12-01T00:00:00Z',
          latestVersion: 1,
        });
      },
    );
    await renderInTestApp(
      <Routes>
        <Route path="/config/:id" element={<SetDetailPage />} />
      </Routes>,
      {
        initialRouteEntries: ['/config/7'],
        apis: [
          mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
          mockApis.fetch({
            baseImplementation: fetch as typeof globalThis.fetch,
          }),
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        ] as const,
      } as any,
    );
    const row = (await screen.findByText('m1')).closest('tr')!;
    // pauses between batches: asked for, and approved, with the rest
    fireEvent.change(screen.getByLabelText('Pause between batches (s)'), {
      target: { value: '30' },
    });
    fireEvent.click(
      screen.getByLabelText('Stop after the first batch until continued'),
    );
    // and a push without reload (the ticket approves that too)
    fireEvent.click(
      screen.getByLabelText('Push without reload (reload as a separate step)'),
    );
    fireEvent.click(
      await within(row as HTMLElement).findByRole('button', { name: 'Push' }),
    );
    const panel = await screen.findByTestId('config-approval');
    expect(panel).toHaveTextContent(
      'This change touches prod hosts: you may run it once another person approves it through a ticket.',
    );
    fireEvent.click(
      within(panel).getByRole('button', { name: 'Request approval' }),
    );
    expect(await screen.findByText('Open ticket 12')).toHaveAttribute(
      'href',
      '/tickets/12',
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Push with approved ticket' }),
    );
    expect(await screen.findByText('Push of v1 started.')).toBeInTheDocument();
    const pause = {
      pauseSeconds: 30,
      confirmFirstBatch: true,
      reload: false,
    };
    expect(pushes).toEqual([
      { version: 1, batchSize: 1, ...pause },
      { version: 1, batchSize: 1, ...pause, requestApproval: true },
      { version: 1, batchSize: 1, ...pause, approvalTicket: 12 },
    ]);
    expect(screen.queryByTestId('config-approval')).toBeNull();
  });
});
