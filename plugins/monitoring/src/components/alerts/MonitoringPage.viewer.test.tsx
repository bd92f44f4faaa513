import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen } from '@testing-library/react';
import { MonitoringPage } from './MonitoringPage';

// In its own file: the permission answers are cached per test module.
describe('MonitoringPage for a user without opsdeck.monitoring.alert.read', () => {
  it('names the missing permission, shows no tabs and asks the backend nothing', async () => {
    const fetch = jest.fn(async () => new Response('{}', { status: 500 }));
    await renderInTestApp(<MonitoringPage />, {
      mountPath: '/monitoring',
      initialRouteEntries: ['/monitoring'],
      apis: [
        mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
        mockApis.fetch({
          baseImplementation: fetch as typeof globalThis.fetch,
        }),
        mockApis.permission({ authorize: AuthorizeResult.DENY }),
      ] as const,
    } as any);
    expect(await screen.findByTestId('opsdeck-not-allowed')).toHaveTextContent(
      'opsdeck.monitoring.alert.read',
    );
    expect(screen.queryByRole('tab')).toBeNull();
    expect(screen.queryByRole('button', { name: 'New rule' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Silence' })).toBeNull();
    expect(fetch).not.toHaveBeenCalled();
  });
});
