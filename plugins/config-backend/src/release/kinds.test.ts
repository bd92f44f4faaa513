import {
  parseRedisConfig,
  redisArgs,
  redisChanges,
  redisHotApply,
} from './kinds';
import { applyPlan, redisPing } from './applyPlan';
import type { ConfigSet } from '@opsdeck/plugin-config-common';

describe('redis configs', () => {
  it('splits arguments like redis does (quotes, escapes)', () => {
    expect(redisArgs(`save ""`)).toEqual(['save', '']);
    expect(redisArgs(`requirepass "a b\\"c"`)).toEqual([
      'requirepass',
      'a b"c',
    ]);
    expect(redisArgs(`rename-command CONFIG 'x y'`)).toEqual([
      'rename-command',
      'CONFIG',
      'x y',
    ]);
  });

  it('reads directives, case-insensitive, repeated ones joined as CONFIG SET takes them', () => {
    const c = parseRedisConfig(
      '# comment\nPort 6380\nsave 3600 1\nsave 300 100\n\nmaxmemory 1gb\n',
    );
    expect([...c]).toEqual([
      ['port', '6380'],
      ['save', '3600 1 300 100'],
      ['maxmemory', '1gb'],
    ]);
  });

  it('lists changed directives, and those that need a restart', () => {
    expect(
      redisChanges(
        'port 1\nmaxmemory 1mb\ndaemonize yes\ntimeout 5\n',
        'port 1\nmaxmemory 2mb\ndaemonize no\n',
      ),
    ).toEqual({
      set: [['maxmemory', '2mb']],
      restart: ['daemonize', 'timeout'],
    });
  });

  it('applies hot over the running port with quoted values, and refuses what needs a restart', () => {
    const script = redisHotApply(
      'port 7000\nmaxmemory 1mb\n',
      'port 7000\nmaxmemory 2mb\nnotify-keyspace-events "Ex\'"\n',
    );
    expect(script).toContain("redis-cli -h 127.0.0.1 -p '7000'");
    expect(script).toContain("cli CONFIG SET 'maxmemory' '2mb'");
    expect(script).toContain(
      `cli CONFIG SET 'notify-keyspace-events' 'Ex'\\'''`,
    );
    expect(script).toContain('cli CONFIG REWRITE');
    const refused = redisHotApply('port 1\n', 'port 1\ninclude /x.conf\n');
    expect(refused).toContain('needs a restart, not applied hot: include');
    expect(refused).toContain('exit 1');
    // going back after a failed push leaves out what was never applied
    expect(
      redisHotApply(
        'port 1\ninclude /x.conf\nmaxmemory 2mb\n',
        'port 1\nmaxmemory 1mb\n',
        {
          revert: true,
        },
      ),
    ).toContain("CONFIG SET 'maxmemory' '1mb'");
  });

  it('talks to a unix socket when the running config has one', () => {
    expect(
      redisHotApply(
        'unixsocket /run/r.sock\nport 0\n',
        'unixsocket /run/r.sock\nport 0\nmaxclients 9\n',
      ),
    ).toContain("redis-cli -s '/run/r.sock'");
  });
});

describe('the apply step of a redis push', () => {
  const set = {
    kind: 'redis',
    targetPath: '/etc/redis/redis.conf',
  } as ConfigSet;
  const before = 'port 7000\nmaxmemory 1mb\ndatabases 16\n';

  it('applies hot what it can, with or without a restart command', () => {
    const after = 'port 7000\nmaxmemory 2mb\ndatabases 16\n';
    for (const s of [set, { ...set, restartCommand: 'systemctl restart r' }]) {
      const plan = applyPlan(s, before, after);
      expect(plan.restart).toBeUndefined();
      expect(plan.apply).toContain("CONFIG SET 'maxmemory' '2mb'");
      expect(plan.revert).toContain("CONFIG SET 'maxmemory' '1mb'");
    }
  });

  it('restarts with the restart command what it cannot take hot, and names it otherwise', () => {
    const after = 'port 7000\nmaxmemory 2mb\ndatabases 32\n';
    const refused = applyPlan(set, before, after);
    expect(refused.restart).toBeUndefined();
    expect(refused.apply).toContain(
      'needs a restart, not applied hot: databases (give the set a restart command',
    );
    const plan = applyPlan(
      { ...set, restartCommand: 'systemctl restart r' },
      before,
      after,
    );
    expect(plan).toMatchObject({
      apply: 'systemctl restart r',
      revert: 'systemctl restart r',
    });
    expect(plan.restart?.ping).toContain("-p '7000' PING");
    // a removed directive, or one redis 7 refuses as protected, too
    expect(
      applyPlan({ ...set, restartCommand: 'r' }, before, 'port 7000\n').apply,
    ).toBe('r');
    expect(redisChanges('dir /a\n', 'dir /b\n').restart).toEqual(['dir']);
    // only redis sets restart: the set's own reload otherwise
    expect(
      applyPlan(
        { ...set, kind: 'text', reloadCommand: 'x', restartCommand: 'r' },
        '',
        'a',
      ),
    ).toEqual({ apply: 'x', revert: 'x' });
  });

  it('pings the server the file describes (socket or port)', () => {
    expect(redisPing('unixsocket /run/r.sock\nport 0\n')).toContain(
      "redis-cli -s '/run/r.sock' PING",
    );
    expect(redisPing('maxmemory 1mb\n')).toContain(
      "redis-cli -h 127.0.0.1 -p '6379' PING",
    );
  });
});
