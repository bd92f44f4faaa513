import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen } from '@testing-library/react';
import { FilesPage } from './FilesPage';

// In a file of its own: usePermission caches answers per module registry, and
// this user is refused what FilesPage.test.tsx's users may do.
describe('FilesPage for a user without roles', () => {
  it('names the missing read permission and offers no upload form', async () => {
    const fetch = jest.fn(async () => new Response('{}', { status: 500 }));
    await renderInTestApp(<FilesPage />, {
      apis: [
        mockApis.discovery({ baseUrl: 'http://localhost:7007/api' }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.permission({ authorize: AuthorizeResult.DENY }),
      ] as const,
    });
    expect(await screen.findByText('Not allowed')).toBeInTheDocument();
    expect(
      screen.getByText(/the permission opsdeck\.files\.file\.read\./),
    ).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Upload' })).toBeNull();
    expect(fetch).not.toHaveBeenCalled();
  });
});
