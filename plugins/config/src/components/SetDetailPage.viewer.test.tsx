import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { SetDetailPage } from './SetDetailPage';

// In a file of its own: usePermission caches answers per module registry.
describe('SetDetailPage for a viewer', () => {
  it('shows the versions but no editor, per-host diff, push or rollback', async () => {
    const json = (x: unknown) =>
      new Response(JSON.stringify(x), {
        headers: { 'Content-Type': 'application/json' },
      });
    const fetch = jest.fn(async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith('/versions')) {
        return json({
          items: [2, 1].map(version => ({
            setId: 7,
            version,
            template: 'x',
            variables: {},
            message: `m${version}`,
            author: 'user:default/bob',
            createdAt: '2026-12-01T00:00:00Z',
          })),
        });
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
        latestVersion: 2,
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
          mockApis.permission({ authorize: AuthorizeResult.DENY }),
        ] as const,
      } as any,
    );
    expect(await screen.findByText('m1')).toBeInTheDocument();
    expect(screen.queryByLabelText('What changed')).toBeNull();
    for (const name of [
      'Push',
      'Roll back to this',
      'Per-host diff',
      'Edit set',
    ]) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });
});
