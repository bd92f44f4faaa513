import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CmdbClient } from '../api/CmdbClient';
import { BASE } from '../__testUtils__/fakeBackend';
import { PendingHostKey } from './PendingHostKey';

// the machine that runs the suite is shared and slow at times
jest.setTimeout(120_000);

// Its own file: usePermission caches decisions for the module's lifetime.
describe('PendingHostKey refusals', () => {
  it('says in zh-CN that no key waits any more, by its code, not the server’s English', async () => {
    const fetch = jest.fn(
      async () =>
        new Response(
          JSON.stringify({
            error: {
              name: 'ConflictError',
              message: 'No host key of 10.0.0.5:22 waits for acceptance',
              code: 'cmdb-host-key-none-pending',
              hostId: '10.0.0.5:22',
            },
            request: { method: 'POST', url: '/' },
            response: { statusCode: 409 },
          }),
          { status: 409, headers: { 'Content-Type': 'application/json' } },
        ),
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
        apis: [
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
          mockApis.appLanguage({
            defaultLanguage: 'zh-CN',
            availableLanguages: ['en', 'zh-CN'],
          }),
        ],
      },
    );
    const pending = await screen.findByTestId('host-key-pending');
    await userEvent.click(
      await within(pending).findByRole('button', { name: '拒绝密钥' }),
    );
    expect(
      await screen.findByText(
        '10.0.0.5:22 没有等待确认的密钥（已有人确认或拒绝）',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/waits for acceptance/)).not.toBeInTheDocument();
  });
});
