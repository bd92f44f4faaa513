import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { fireEvent, screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { SetDetailPage } from './SetDetailPage';

const version = (n: number, extra: object = {}) => ({
  setId: 7,
  version: n,
  template: `v = ${n}\n`,
  variables: {},
  message: `m${n}`,
  author: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  ...extra,
});
const release = {
  id: 3,
  setId: 7,
  version: 3,
  action: 'rollback',
  status: 'done',
  batchSize: 1,
  createdBy: 'user:default/bob',
  createdAt: '2026-12-01T00:00:00Z',
  hosts: [{ host: 'resource:default/web-01', position: 0, state: 'done' }],
};

describe('SetDetailPage rollback', () => {
  it('rolls back to an older version and lists the new version at once', async () => {
    let rolledBack = false;
    const json = (x: unknown, status = 200) =>
      new Response(JSON.stringify(x), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    const rollback = version(3, { message: 'back', rolledBackFrom: 1 });
    const fetch = jest.fn(async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/sets/7/rollback')) {
        rolledBack = true;
        return json({ version: rollback, release }, 201);
      }
      if (url.endsWith('/releases/3')) return json(release);
      if (url.endsWith('/sets/7/versions')) {
        const items = [version(2), version(1)];
        return json({ items: rolledBack ? [rollback, ...items] : items });
      }
      return json({
        id: 7,
        name: 'web',
        kind: 'text',
        owner: 'group:default/ops',
        selector: {},
        targetPath: '/etc/app.conf',
        createdBy: 'user:default/bob',
        createdAt: '2026-12-01T00:00:00Z',
        updatedAt: '2026-12-01T00:00:00Z',
        latestVersion: rolledBack ? 3 : 2,
      });
    });
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
    fireEvent.click(
      await within(row as HTMLElement).findByRole('button', {
        name: 'Roll back to this',
      }),
    );
    expect(
      await screen.findByText('Rollback started: new version 3.'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(/back \(rollback to v1\)/),
    ).toBeInTheDocument();
  });
});
