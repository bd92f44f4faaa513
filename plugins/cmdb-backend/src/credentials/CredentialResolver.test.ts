import {
  createSecretCredentialResolver,
  memoizeCredentialResolver,
} from './CredentialResolver';

describe('memoizeCredentialResolver', () => {
  it('reads each credential once per login user and reuses failures', async () => {
    const getSecret = jest.fn(async (name: string) => {
      if (name === 'missing') throw new Error(`No credential '${name}'`);
      return { type: 'ssh-key' as const, username: 'ops', privateKey: 'KEY' };
    });
    const resolver = memoizeCredentialResolver(
      createSecretCredentialResolver({ getSecret }),
    );

    const a = await resolver.resolve({ credential: 'ops-ssh' });
    const b = await resolver.resolve({ credential: 'ops-ssh' });
    const c = await resolver.resolve({
      credential: 'ops-ssh',
      loginUser: 'root',
    });
    await expect(resolver.resolve({ credential: 'missing' })).rejects.toThrow(
      "No credential 'missing'",
    );
    await expect(resolver.resolve({ credential: 'missing' })).rejects.toThrow(
      "No credential 'missing'",
    );

    expect(a).toEqual({ username: 'ops', privateKey: 'KEY' });
    expect(b).toBe(a);
    expect(c).toEqual({ username: 'root', privateKey: 'KEY' });
    expect(getSecret.mock.calls.map(([name]) => name)).toEqual([
      'ops-ssh',
      'ops-ssh',
      'missing',
    ]);
  });
});
