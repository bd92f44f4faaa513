import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen } from '@testing-library/react';
import { MyAssetsPage } from './MyAssetsPage';

// no terminal is opened here (and xterm.js needs a canvas jsdom does not have)
jest.mock('./HostTerminal', () => ({ HostTerminal: () => null }));

// In a file of its own: usePermission caches answers per module registry.
describe('My assets for someone who may not open terminals', () => {
  it('shows the one "not allowed" notice naming the permission and asks the API nothing', async () => {
    const fetch = jest.fn(async () => new Response('{}'));
    await renderInTestApp(<MyAssetsPage />, {
      apis: [
        mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
        mockApis.fetch({
          baseImplementation: fetch as unknown as typeof globalThis.fetch,
        }),
        mockApis.permission({ authorize: AuthorizeResult.DENY }),
      ] as const,
    } as any);
    const notice = await screen.findByTestId('opsdeck-not-allowed');
    expect(notice).toHaveTextContent('opsdeck.bastion.session.open');
    expect(screen.queryByTestId('my-assets')).toBeNull();
    expect(fetch).not.toHaveBeenCalled();
  });
});
