import { IdentityApi } from '@backstage/frontend-plugin-api';
import { SESSION_ENDED_KEY, SessionCookieIdentity } from './identity';

function inner() {
  return {
    getProfileInfo: jest.fn(),
    getBackstageIdentity: jest.fn(),
    getCredentials: jest.fn(async () => ({ token: 'the-token' })),
    signOut: jest.fn(async () => undefined),
  } as unknown as IdentityApi & { signOut: jest.Mock };
}

describe('SessionCookieIdentity session check', () => {
  const fetchMock = jest.fn();
  const originalFetch = global.fetch;
  beforeEach(() => {
    fetchMock.mockReset();
    global.fetch = fetchMock as unknown as typeof fetch;
    window.sessionStorage.clear();
  });
  afterAll(() => {
    global.fetch = originalFetch;
  });

  it('asks with the tab token and stays signed in while the session is live', async () => {
    fetchMock.mockResolvedValue({ status: 200 });
    const identity = inner();
    const clear = jest.fn(async () => undefined);
    const ended = jest.fn();
    const wrapped = new SessionCookieIdentity(
      identity,
      clear,
      async () => 'http://x/api/local-auth/me/session',
      ended,
    );
    await expect(wrapped.checkSession()).resolves.toBe('live');
    expect(fetchMock).toHaveBeenCalledWith(
      'http://x/api/local-auth/me/session',
      expect.objectContaining({
        headers: { Authorization: 'Bearer the-token' },
      }),
    );
    expect(identity.signOut).not.toHaveBeenCalled();
    expect(ended).not.toHaveBeenCalled();
  });

  it('signs the tab out when the session ended (401)', async () => {
    fetchMock.mockResolvedValue({ status: 401 });
    const identity = inner();
    const clear = jest.fn(async () => undefined);
    const ended = jest.fn();
    const wrapped = new SessionCookieIdentity(
      identity,
      clear,
      async () => 'http://x/api/local-auth/me/session',
      ended,
    );
    await expect(wrapped.checkSession()).resolves.toBe('ended');
    expect(clear).toHaveBeenCalled();
    expect(identity.signOut).toHaveBeenCalled();
    expect(ended).toHaveBeenCalled();
    expect(window.sessionStorage.getItem(SESSION_ENDED_KEY)).toBe('1');
  });

  it('keeps the tab when the backend cannot be reached', async () => {
    fetchMock.mockRejectedValue(new Error('offline'));
    const identity = inner();
    const ended = jest.fn();
    const wrapped = new SessionCookieIdentity(
      identity,
      jest.fn(),
      async () => 'http://x/api/local-auth/me/session',
      ended,
    );
    await expect(wrapped.checkSession()).resolves.toBe('unknown');
    expect(ended).not.toHaveBeenCalled();
  });

  it('checks on a timer once watching', async () => {
    jest.useFakeTimers();
    try {
      fetchMock.mockResolvedValue({ status: 200 });
      const wrapped = new SessionCookieIdentity(
        inner(),
        jest.fn(),
        async () => 'http://x/api/local-auth/me/session',
        jest.fn(),
      );
      wrapped.watchSession(1000);
      await jest.advanceTimersByTimeAsync(3000);
      expect(fetchMock).toHaveBeenCalledTimes(3);
      await wrapped.signOut();
      await jest.advanceTimersByTimeAsync(3000);
      expect(fetchMock).toHaveBeenCalledTimes(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
