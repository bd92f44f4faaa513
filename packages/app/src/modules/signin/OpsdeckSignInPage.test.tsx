import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import {
  configApiRef,
  discoveryApiRef,
  errorApiRef,
  IdentityApi,
  translationApiRef,
} from '@backstage/frontend-plugin-api';
import { mockApis, TestApiProvider } from '@backstage/frontend-test-utils';
import { OpsdeckSignInPage } from './OpsdeckSignInPage';
import { opsdeckSignInTranslationRef } from './translation';
import zhCN from './translations/zh-CN';

const BASE = 'http://localhost:7007';

function jsonResponse(status: number, body: unknown) {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: status === 200 ? 'OK' : 'Error',
    headers: {
      get: (name: string) =>
        name.toLowerCase() === 'content-type' ? 'application/json' : null,
    },
    json: async () => body,
    text: async () => JSON.stringify(body),
  };
}

const noSession = () =>
  jsonResponse(401, {
    error: { name: 'AuthenticationError', message: 'No valid opsdeck session' },
    response: { statusCode: 401 },
  });

function b64url(value: object) {
  return btoa(JSON.stringify(value))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const session = (name: string) =>
  jsonResponse(200, {
    profile: { displayName: name },
    backstageIdentity: {
      token: `${b64url({ alg: 'none' })}.${b64url({
        sub: `user:default/${name}`,
        exp: Math.floor(Date.now() / 1000) + 3600,
      })}.sig`,
      identity: {
        type: 'user',
        userEntityRef: `user:default/${name}`,
        ownershipEntityRefs: [`user:default/${name}`],
      },
    },
  });

describe('OpsdeckSignInPage', () => {
  const fetchMock = jest.fn();
  const originalFetch = global.fetch;

  beforeEach(() => {
    fetchMock.mockReset();
    global.fetch = fetchMock as unknown as typeof fetch;
  });
  afterAll(() => {
    global.fetch = originalFetch;
  });

  function renderPage(options: { demoHint?: boolean } = {}) {
    const onSignInSuccess = jest.fn<void, [IdentityApi]>();
    render(
      <TestApiProvider
        apis={[
          [discoveryApiRef, mockApis.discovery({ baseUrl: BASE })],
          [
            configApiRef,
            mockApis.config({
              data: { opsdeck: { localAuth: { demoHint: options.demoHint } } },
            }),
          ],
          [translationApiRef, mockApis.translation()],
          [errorApiRef, mockApis.error()],
        ]}
      >
        <OpsdeckSignInPage onSignInSuccess={onSignInSuccess} />
      </TestApiProvider>,
    );
    return { onSignInSuccess };
  }

  function calls(path: string) {
    return fetchMock.mock.calls.filter(([url]) => String(url).endsWith(path));
  }

  async function fillAndSubmit(username: string, password: string) {
    fireEvent.change(await screen.findByLabelText('Username'), {
      target: { value: username },
    });
    fireEvent.change(screen.getByLabelText('Password'), {
      target: { value: password },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  }

  it('signs in silently when the session cookie is still valid', async () => {
    fetchMock.mockImplementation(async () => session('alice'));
    const { onSignInSuccess } = renderPage();
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(calls('/api/auth/opsdeck/refresh')).toHaveLength(1);
    expect(calls('/api/auth/opsdeck/refresh')[0][1]).toMatchObject({
      credentials: 'include',
    });
    const identity = onSignInSuccess.mock.calls[0][0];
    await expect(identity.getBackstageIdentity()).resolves.toMatchObject({
      userEntityRef: 'user:default/alice',
    });
    expect(screen.queryByLabelText('Username')).not.toBeInTheDocument();
  });

  it('shows the form without an error when there is no session', async () => {
    fetchMock.mockImplementation(async () => noSession());
    renderPage();
    expect(await screen.findByLabelText('Username')).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveAttribute(
      'type',
      'password',
    );
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    expect(screen.getByText('Sign in to opsdeck')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByText('Demo accounts')).not.toBeInTheDocument();
  });

  it('asks for both fields before posting', async () => {
    fetchMock.mockImplementation(async () => noSession());
    renderPage();
    await fillAndSubmit('alice', '');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Enter your username and password.',
    );
    expect(calls('/api/local-auth/login')).toHaveLength(0);
  });

  it('shows an error for wrong credentials', async () => {
    fetchMock.mockImplementation(async (url: string) =>
      url.endsWith('/login')
        ? jsonResponse(401, {
            error: {
              name: 'AuthenticationError',
              message: 'Invalid username or password',
            },
            response: { statusCode: 401 },
          })
        : noSession(),
    );
    renderPage();
    await fillAndSubmit('alice', 'wrong-password');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Invalid username or password, or too many failed sign-ins',
    );
    const [url, init] = calls('/api/local-auth/login')[0];
    expect(url).toBe(`${BASE}/api/local-auth/login`);
    expect(init).toMatchObject({ method: 'POST', credentials: 'include' });
    expect(JSON.parse(init.body)).toEqual({
      username: 'alice',
      password: 'wrong-password',
    });
    expect(screen.getByLabelText('Password')).toHaveValue('');
  });

  it('says an address is throttled on 429, and shows one message for 401', async () => {
    fetchMock.mockImplementation(async (url: string) =>
      url.endsWith('/login')
        ? jsonResponse(429, {
            error: { name: 'TooManyRequestsError', message: 'throttled' },
            response: { statusCode: 429 },
          })
        : noSession(),
    );
    renderPage();
    await fillAndSubmit('bob', 'opsdeck-demo');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many failed sign-ins from your address',
    );
  });

  it('tells a tab signed out by the session check why', async () => {
    window.sessionStorage.setItem('opsdeck-session-ended', '1');
    fetchMock.mockImplementation(async () => noSession());
    renderPage();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Your session has ended. Sign in again.',
    );
    expect(window.sessionStorage.getItem('opsdeck-session-ended')).toBeNull();
  });

  it('signs in through the provider after login and clears the cookie on sign-out', async () => {
    let loggedIn = false;
    fetchMock.mockImplementation(async (url: string) => {
      if (url.endsWith('/api/local-auth/login')) {
        loggedIn = true;
        return jsonResponse(200, { username: 'carol' });
      }
      if (url.endsWith('/api/local-auth/logout')) {
        return jsonResponse(204, {});
      }
      return loggedIn ? session('carol') : noSession();
    });
    const { onSignInSuccess } = renderPage();
    await fillAndSubmit('carol', 'opsdeck-demo');
    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(calls('/api/auth/opsdeck/refresh')).toHaveLength(2);

    const identity = onSignInSuccess.mock.calls[0][0];
    await expect(identity.getProfileInfo()).resolves.toEqual({
      displayName: 'carol',
    });
    await identity.signOut();
    const [logoutUrl, logoutInit] = calls('/api/local-auth/logout')[0];
    expect(logoutUrl).toBe(`${BASE}/api/local-auth/logout`);
    expect(logoutInit).toMatchObject({
      method: 'POST',
      credentials: 'include',
    });
  });

  it('reports a failed provider sign-in after a good password', async () => {
    let loggedIn = false;
    fetchMock.mockImplementation(async (url: string) => {
      if (url.endsWith('/login')) {
        loggedIn = true;
        return jsonResponse(200, { username: 'frank' });
      }
      return loggedIn
        ? jsonResponse(404, {
            error: {
              name: 'NotFoundError',
              message: 'Failed to sign-in, unable to resolve user identity',
            },
            response: { statusCode: 404 },
          })
        : noSession();
    });
    const { onSignInSuccess } = renderPage();
    await fillAndSubmit('frank', 'opsdeck-demo');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not complete the sign-in: Failed to sign-in, unable to resolve user identity',
    );
    expect(onSignInSuccess).not.toHaveBeenCalled();
  });

  it('lists the demo accounts when demoHint is on', async () => {
    fetchMock.mockImplementation(async () => noSession());
    renderPage({ demoHint: true });
    const panel = await screen.findByRole('complementary', {
      name: 'Demo accounts',
    });
    for (const name of [
      'alice',
      'bob',
      'carol',
      'dave',
      'quinn',
      'erin',
      'victor',
    ]) {
      expect(panel).toHaveTextContent(name);
    }
    expect(panel).toHaveTextContent('dev (QA, tests builds)');
    expect(panel).toHaveTextContent('viewer (security)');
    expect(panel).toHaveTextContent('no role (catalog only)');
    expect(panel).toHaveTextContent('opsdeck-demo');
  });
});

describe('opsdeck sign-in translations', () => {
  it('has a zh-CN text for every English message', () => {
    const english = Object.keys(
      (opsdeckSignInTranslationRef as any).getDefaultMessages(),
    ).sort();
    expect(Object.keys(zhCN).sort()).toEqual(english);
    expect(english).toContain('errors.sessionEnded');
  });
});
