import type { ConfigSetInput } from '@opsdeck/plugin-config-common';
import { canonicalJson } from '@opsdeck/plugin-tickets-node';
import { checkSetInput, onHosts } from './ConfigService';

const ok: ConfigSetInput = {
  name: 'web',
  kind: 'nginx',
  owner: 'group:default/ops',
  selector: { tags: ['web'] },
  targetPath: '/etc/nginx/nginx.conf',
};

describe('checkSetInput', () => {
  it('accepts a plain set and a stage root above the target', () => {
    expect(() => checkSetInput(ok)).not.toThrow();
    expect(() =>
      checkSetInput({
        ...ok,
        targetPath: '/etc/nginx/conf.d/site.conf',
        stageRoot: '/etc/nginx',
      }),
    ).not.toThrow();
    expect(() =>
      checkSetInput({
        ...ok,
        kind: 'redis',
        targetPath: '/etc/redis/redis.conf',
        restartCommand: 'systemctl restart redis-server',
      }),
    ).not.toThrow();
  });

  it.each([
    ['a relative path', { targetPath: 'etc/nginx.conf' }],
    ['a path with ..', { targetPath: '/etc/nginx/../shadow' }],
    ['a directory', { targetPath: '/etc/nginx/' }],
    ['a newline in the path', { targetPath: '/etc/a\nb' }],
    ['a stage root not above the target', { stageRoot: '/var' }],
    ['the whole filesystem as stage root', { stageRoot: '/' }],
    ['a typed owner that is not a ref', { owner: 'ops' }],
    ['an upper-case or spaced name', { name: 'My Set' }],
    ['the shadow file', { targetPath: '/etc/shadow' }],
    ['the account file', { targetPath: '/etc/passwd' }],
    ['a sudoers drop-in', { targetPath: '/etc/sudoers.d/ops' }],
    ['root authorized keys', { targetPath: '/root/.ssh/authorized_keys' }],
    [
      'a user authorized keys',
      { targetPath: '/home/deploy/.ssh/authorized_keys' },
    ],
    ['a PAM file', { targetPath: '/etc/pam.d/sshd' }],
    ['a kernel setting', { targetPath: '/proc/sys/kernel/core_pattern' }],
    ['an SSH host key', { targetPath: '/etc/ssh/ssh_host_ed25519_key' }],
    ['a restart command on a set that is not redis', { restartCommand: 'x' }],
  ])('refuses %s', (_what, patch) => {
    expect(() => checkSetInput({ ...ok, ...patch })).toThrow();
  });

  it('counts the restart command as part of what runs on the hosts (a set without one keeps its digest)', () => {
    const redis: ConfigSetInput = {
      ...ok,
      kind: 'redis',
      targetPath: '/etc/redis/redis.conf',
    };
    // a changed restart command is a changed definition: approval, prod gate
    expect(onHosts({ ...redis, restartCommand: 'a' })).not.toBe(onHosts(redis));
    expect(onHosts({ ...redis, restartCommand: 'a' })).not.toBe(
      onHosts({ ...redis, restartCommand: 'b' }),
    );
    // approvals and paused releases of sets saved before it stay valid
    expect(onHosts(redis)).toBe(
      canonicalJson([
        'redis',
        redis.selector,
        redis.targetPath,
        null,
        null,
        null,
        null,
      ]),
    );
  });
});
