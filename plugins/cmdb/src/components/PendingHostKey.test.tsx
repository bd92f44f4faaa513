import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, within } from '@testing-library/react';
import { CmdbClient } from '../api/CmdbClient';
import { BASE, errorBody, fakeBackend } from '../__testUtils__/fakeBackend';
import { PendingHostKey } from './PendingHostKey';

// the machine that runs the suite is shared and slow at times
jest.setTimeout(120_000);

// Its own file: usePermission caches decisions (SWR) for the module's
// lifetime, so the allowed answers of HostFactsCard's tests would carry over.
// An admin accepting an offered key is tested there, through the whole card.
describe('PendingHostKey', () => {
  it('shows a pending key without accept or reject to non-admins', async () => {
    const fetch = fakeBackend(url =>
      errorBody(404, 'NotFoundError', `no ${url.pathname}`),
    );
    const client = new CmdbClient(
      mockApis.discovery({ baseUrl: BASE }),
      mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
    );
    await renderInTestApp(
      <PendingHostKey
        client={client}
        name="db-1"
        pending={{
          fingerprint: 'SHA256:offered',
          offeredAt: '2026-12-01T10:00:00Z',
        }}
        onDone={() => {}}
      />,
      {
        apis: [mockApis.permission({ authorize: AuthorizeResult.DENY })],
      },
    );
    const pending = await screen.findByTestId('host-key-pending');
    expect(within(pending).getByText(/SHA256:offered/)).toBeInTheDocument();
    expect(
      within(pending).queryByRole('button', { name: 'Accept key' }),
    ).not.toBeInTheDocument();
    expect(
      within(pending).queryByRole('button', { name: 'Reject key' }),
    ).not.toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });
});
