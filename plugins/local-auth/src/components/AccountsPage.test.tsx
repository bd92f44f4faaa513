import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Account } from '../api';
import { AccountsPage } from './AccountsPage';
import zhCN from '../translation/zhCN';
import { accountsTranslationRef } from '../translation/translation';

// Role queries over the MUI table are slow on a loaded two-core CI machine (the first test took
// 21 s alone and timed out at 30 s beside the backend suites); this is a ceiling, not a measurement.
jest.setTimeout(90_000);

const BASE = 'http://example.test';

function account(name: string, overrides: Partial<Account> = {}): Account {
  return {
    name,
    locked: false,
    lockedAddresses: [],
    failedAttempts: 0,
    sessions: 2,
    lastLoginAt: '2026-12-01T10:00:00.000Z',
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
    ...overrides,
  };
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

type Call = { method: string; path: string; body?: any };

function fakeBackend(canManage: boolean) {
  const calls: Call[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : undefined;
      const url = new URL(request ? request.url : String(input));
      const method = (request?.method ?? init?.method ?? 'GET').toUpperCase();
      const text = request ? await request.text() : (init?.body as string);
      const path = url.pathname.replace('/api/local-auth', '');
      calls.push({ method, path, body: text ? JSON.parse(text) : undefined });
      if (path === '/accounts') {
        return json({
          canManage,
          items: [
            account('alice'),
            account('bob', {
              sessions: 0,
              failedAttempts: 5,
              lockedAddresses: [
                { address: '203.0.113.9', until: '2026-12-01T10:15:00.000Z' },
              ],
            }),
          ],
        });
      }
      if (path === '/accounts/alice/sessions') {
        return json({
          items: [
            {
              id: 's1',
              createdAt: '2026-12-01T10:00:00.000Z',
              lastSeenAt: '2026-12-01T10:05:00.000Z',
              expiresAt: '2026-12-01T22:00:00.000Z',
              address: '10.0.0.7',
              userAgent: 'Firefox/140',
            },
          ],
        });
      }
      if (path === '/accounts/alice/sign-out-everywhere') {
        return json({ sessionsEnded: 2 });
      }
      if (path === '/accounts/bob/password') return json({ sessionsEnded: 0 });
      if (path === '/accounts/bob/unlock') {
        return new Response(null, { status: 204 });
      }
      return json({ error: { name: 'NotFoundError', message: 'no' } }, 404);
    },
  );
  return { fetch, calls };
}

function apis(fetch: ReturnType<typeof fakeBackend>['fetch']) {
  return [
    mockApis.discovery({ baseUrl: BASE }),
    mockApis.fetch({ baseImplementation: fetch as typeof globalThis.fetch }),
  ] as const;
}

describe('AccountsPage', () => {
  it('shows accounts, lock state and sessions; an admin signs an account out everywhere', async () => {
    const { fetch, calls } = fakeBackend(true);
    await renderInTestApp(<AccountsPage />, { apis: apis(fetch) });
    const rows = await screen.findAllByTestId('account-row');
    expect(rows).toHaveLength(2);
    expect(
      within(rows[1]).getByText(/Locked for 203\.0\.113\.9 until/),
    ).toBeInTheDocument();
    expect(within(rows[1]).getByText('5 failed sign-ins')).toBeInTheDocument();

    await userEvent.click(
      within(rows[0]).getByRole('button', { name: 'Sessions' }),
    );
    const sessions = await screen.findByRole('dialog');
    expect(await within(sessions).findByText('10.0.0.7')).toBeInTheDocument();
    expect(within(sessions).getByText('Firefox/140')).toBeInTheDocument();
    await userEvent.click(
      within(sessions).getByRole('button', { name: 'Close' }),
    );

    await userEvent.click(
      within(rows[0]).getByRole('button', { name: 'Sign out everywhere' }),
    );
    const confirm = await screen.findByRole('dialog');
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Sign out' }),
    );
    expect(
      await screen.findByText('alice: 2 sessions ended.'),
    ).toBeInTheDocument();
    expect(calls).toContainEqual({
      method: 'POST',
      path: '/accounts/alice/sign-out-everywhere',
    });

    await userEvent.click(
      within(rows[1]).getByRole('button', { name: 'Unlock' }),
    );
    expect(await screen.findByText('bob is unlocked.')).toBeInTheDocument();

    await userEvent.click(
      within((await screen.findAllByTestId('account-row'))[1]).getByRole(
        'button',
        { name: 'Reset password' },
      ),
    );
    await userEvent.type(
      screen.getByLabelText(/New password/),
      'a-new-secret-123',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'PUT',
        path: '/accounts/bob/password',
        body: { password: 'a-new-secret-123' },
      }),
    );
  });

  it('offers no changes to a reader without the manage permission', async () => {
    const { fetch } = fakeBackend(false);
    await renderInTestApp(<AccountsPage />, { apis: apis(fetch) });
    const rows = await screen.findAllByTestId('account-row');
    expect(
      within(rows[0]).getByRole('button', { name: 'Sessions' }),
    ).toBeInTheDocument();
    for (const name of ['Reset password', 'Unlock', 'Sign out everywhere']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('is translated to Simplified Chinese, every message', async () => {
    const english = Object.keys(
      (accountsTranslationRef as any).getDefaultMessages(),
    ).sort();
    expect(Object.keys(zhCN).sort()).toEqual(english);
    const { fetch } = fakeBackend(true);
    await renderInTestApp(<AccountsPage />, {
      apis: [
        ...apis(fetch),
        mockApis.appLanguage({
          defaultLanguage: 'zh-CN',
          availableLanguages: ['en', 'zh-CN'],
        }),
      ],
    });
    expect(
      await screen.findByRole('columnheader', { name: '最近登录' }),
    ).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: '全部登出' })).toHaveLength(2);
  });
});
