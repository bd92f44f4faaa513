import type { SecretUse, VaultSecret } from '@opsdeck/plugin-vault-node';
import { createCredentialResolver } from './credentials';

const key: VaultSecret = {
  type: 'ssh-key',
  username: 'deploy',
  privateKey: 'PRIVATE',
};

function vault(secrets: Record<string, VaultSecret>) {
  const calls: { name: string; use: SecretUse }[] = [];
  return {
    calls,
    getSecret: async (name: string, use: SecretUse) => {
      calls.push({ name, use });
      const s = secrets[name];
      if (!s) throw new Error(`No credential named '${name}'`);
      return s;
    },
  };
}

const web = (n: number, owner = 'group:default/ops') => ({
  credential: 'web',
  target: {
    ref: `resource:default/web-0${n}`,
    owner,
    environment: 'prod',
  },
});

describe('createCredentialResolver', () => {
  it('takes each login out for ssh-login with the host as target, on behalf of the actor', async () => {
    const v = vault({ web: key });
    const resolver = createCredentialResolver({
      vault: v,
      defaultCredentialSetting: 'opsdeck.test.defaultCredential',
      actor: 'user:default/bob',
    });
    await expect(resolver.ssh(web(1))).resolves.toEqual({
      username: 'deploy',
      privateKey: 'PRIVATE',
    });
    expect(v.calls).toEqual([
      {
        name: 'web',
        use: {
          use: 'ssh-login',
          for: {
            ref: 'resource:default/web-01',
            owner: 'group:default/ops',
            environment: 'prod',
          },
          actor: 'user:default/bob',
        },
      },
    ]);
  });

  it('asks the vault once per credential, use and owner/system/environment', async () => {
    const v = vault({ web: key });
    const resolver = createCredentialResolver({
      vault: v,
      defaultCredentialSetting: 'x',
    });
    await resolver.ssh(web(1));
    await resolver.ssh(web(2));
    await resolver.ssh(web(3, 'group:default/dba'));
    await resolver.secret('web', 'job-secret', web(1).target);
    expect(
      v.calls.map(c => [c.use.use, c.use.for.ref, c.use.for.owner]),
    ).toEqual([
      ['ssh-login', 'resource:default/web-01', 'group:default/ops'],
      ['ssh-login', 'resource:default/web-03', 'group:default/dba'],
      ['job-secret', 'resource:default/web-01', 'group:default/ops'],
    ]);
    // no actor: none is sent
    expect(v.calls[0].use).not.toHaveProperty('actor');
  });

  it('keeps a refusal for the resolver life as well', async () => {
    const v = vault({});
    const resolver = createCredentialResolver({
      vault: v,
      defaultCredentialSetting: 'x',
    });
    await expect(resolver.ssh(web(1))).rejects.toThrow(
      "No credential named 'web'",
    );
    await expect(resolver.ssh(web(2))).rejects.toThrow(
      "No credential named 'web'",
    );
    expect(v.calls).toHaveLength(1);
  });

  it('uses the default credential and the login user, and says what is missing', async () => {
    const v = vault({
      fallback: { type: 'password', password: 'pw' },
    });
    const resolver = createCredentialResolver({
      vault: v,
      defaultCredential: 'fallback',
      defaultCredentialSetting: 'opsdeck.test.defaultCredential',
    });
    await expect(
      resolver.ssh({
        loginUser: 'root',
        target: { ref: 'resource:default/a' },
      }),
    ).resolves.toEqual({ username: 'root', password: 'pw' });
    await expect(
      resolver.ssh({ target: { ref: 'resource:default/a' } }),
    ).rejects.toThrow(
      "Host has no login user and credential 'fallback' has no username",
    );
    const none = createCredentialResolver({
      vault: v,
      defaultCredentialSetting: 'opsdeck.test.defaultCredential',
    });
    await expect(
      none.ssh({ target: { ref: 'resource:default/a' } }),
    ).rejects.toThrow(
      'Host has no credential and opsdeck.test.defaultCredential is not set',
    );
  });
});
