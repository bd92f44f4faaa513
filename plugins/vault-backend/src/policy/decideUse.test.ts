import type { SecretUse } from '@opsdeck/plugin-vault-node';
import type { CredentialPolicy } from '@opsdeck/plugin-vault-node';
import { decideUse } from './decideUse';

const dbProdAdmin: CredentialPolicy = {
  owner: 'group:default/dba',
  allowedUses: ['db-admin'],
  allowedSystems: [],
  allowedEnvironments: [],
};

const groups: Record<string, string[]> = {
  'user:default/bob': ['group:default/ops'],
  'user:default/carol': ['group:default/dba'],
};
const groupsOf = async (user: string) => groups[user] ?? [];

const host = (owner?: string, extra: Partial<SecretUse['for']> = {}) => ({
  ref: 'resource:default/web-01',
  ...(owner ? { owner } : {}),
  ...extra,
});

async function decide(policy: CredentialPolicy, use: SecretUse) {
  return decideUse(policy, use, groupsOf);
}

describe('decideUse', () => {
  it('allows a listed use for a target of the owner group', async () => {
    await expect(
      decide(dbProdAdmin, {
        use: 'db-admin',
        for: {
          ref: 'resource:default/pay-db-main',
          owner: 'group:default/dba',
        },
      }),
    ).resolves.toEqual({ allowed: true });
  });

  it('refuses a use the credential does not list (an ops job naming db-prod-admin)', async () => {
    await expect(
      decide(dbProdAdmin, {
        use: 'job-secret',
        for: { ref: 'job:42', owner: 'group:default/ops' },
        actor: 'user:default/bob',
      }),
    ).resolves.toEqual({
      allowed: false,
      reason: 'it may be used for db-admin only',
    });
    await expect(
      decide(
        { ...dbProdAdmin, allowedUses: [] },
        { use: 'db-admin', for: host('group:default/dba') },
      ),
    ).resolves.toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/no allowed uses yet/),
    });
  });

  it('refuses a target of another owner, and a target without an owner', async () => {
    const sshPassword: CredentialPolicy = {
      ...dbProdAdmin,
      allowedUses: ['ssh-login'],
    };
    await expect(
      decide(sshPassword, {
        use: 'ssh-login',
        for: host('group:default/ops'),
      }),
    ).resolves.toEqual({
      allowed: false,
      reason:
        'it belongs to group:default/dba, and resource:default/web-01 is owned by group:default/ops',
    });
    await expect(
      decide(sshPassword, { use: 'ssh-login', for: host() }),
    ).resolves.toMatchObject({ allowed: false });
    await expect(
      decide(
        { ...sshPassword, owner: undefined },
        { use: 'ssh-login', for: host('group:default/dba') },
      ),
    ).resolves.toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/no owner group yet/),
    });
  });

  it('restricts to the listed systems and environments', async () => {
    const scoped: CredentialPolicy = {
      owner: 'group:default/ops',
      allowedUses: ['ssh-login'],
      allowedSystems: ['system:default/shop'],
      allowedEnvironments: ['test'],
    };
    const use = (extra: Partial<SecretUse['for']>): SecretUse => ({
      use: 'ssh-login',
      for: host('group:default/ops', extra),
    });
    await expect(
      decide(
        scoped,
        use({ system: 'system:default/shop', environment: 'test' }),
      ),
    ).resolves.toEqual({ allowed: true });
    await expect(
      decide(
        scoped,
        use({ system: 'system:default/pay', environment: 'test' }),
      ),
    ).resolves.toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/serves systems system:default\/shop only/),
    });
    await expect(
      decide(
        scoped,
        use({ system: 'system:default/shop', environment: 'prod' }),
      ),
    ).resolves.toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/serves environments test only/),
    });
    await expect(
      decide(scoped, use({ environment: 'test' })),
    ).resolves.toMatchObject({ allowed: false });
  });

  it('gives a job secret only to a member of the owner group', async () => {
    const token: CredentialPolicy = {
      owner: 'group:default/dba',
      allowedUses: ['job-secret'],
      allowedSystems: [],
      allowedEnvironments: [],
    };
    const forJob = (actor?: string): SecretUse => ({
      use: 'job-secret',
      for: { ref: 'job:42' },
      ...(actor ? { actor } : {}),
    });
    await expect(decide(token, forJob('user:default/carol'))).resolves.toEqual({
      allowed: true,
    });
    await expect(decide(token, forJob('user:default/bob'))).resolves.toEqual({
      allowed: false,
      reason: 'user:default/bob is not a member of group:default/dba',
    });
    await expect(decide(token, forJob())).resolves.toMatchObject({
      allowed: false,
    });
    // the hosts the script runs on must belong to the owner group as well
    await expect(
      decide(token, {
        use: 'job-secret',
        for: { ref: 'job:42', owner: 'group:default/ops' },
        actor: 'user:default/carol',
      }),
    ).resolves.toMatchObject({ allowed: false });
  });

  it('gives a config secret only to a member of the owner group, for a set it owns', async () => {
    const pass: CredentialPolicy = {
      owner: 'group:default/ops',
      allowedUses: ['config-secret'],
      allowedSystems: [],
      allowedEnvironments: ['prod'],
    };
    const forSet = (actor?: string, environment = 'prod'): SecretUse => ({
      use: 'config-secret',
      for: { ref: 'config-set:redis', owner: 'group:default/ops', environment },
      ...(actor ? { actor } : {}),
    });
    await expect(decide(pass, forSet('user:default/bob'))).resolves.toEqual({
      allowed: true,
    });
    await expect(decide(pass, forSet('user:default/carol'))).resolves.toEqual({
      allowed: false,
      reason: 'user:default/carol is not a member of group:default/ops',
    });
    await expect(decide(pass, forSet())).resolves.toEqual({
      allowed: false,
      reason: 'a config secret is only taken out on behalf of a person',
    });
    // the prod password does not go to a staging host
    await expect(
      decide(pass, forSet('user:default/bob', 'staging')),
    ).resolves.toMatchObject({ allowed: false });
    // nor is it a job secret
    await expect(
      decide(pass, { ...forSet('user:default/bob'), use: 'job-secret' }),
    ).resolves.toMatchObject({ allowed: false });
  });
});
