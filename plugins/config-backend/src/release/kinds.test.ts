import {
  parseRedisConfig,
  redisArgs,
  redisChanges,
  redisHotApply,
  redisPing,
} from './kinds';
import { applyPlan } from './applyPlan';
import type { ConfigSet } from '@opsdeck/plugin-config-common';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    // escapes in double quotes only; \' in single quotes; quotes inside a word
    expect(redisArgs(`k "a\\x41\\x4Z\\t\\q" 'b\\'c\\n' d"e f"`)).toEqual([
      'k',
      'aAx4Z\tq',
      "b'c\\n",
      'de f',
    ]);
    // what redis refuses: an open quote, a closing quote glued to more
    expect(redisArgs(`requirepass "abc`)).toBeUndefined();
    expect(redisArgs(`requirepass 'a'b`)).toBeUndefined();
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

  it('never writes a password into a script: read on the host, given to redis-cli by REDISCLI_AUTH and stdin', () => {
    const before = 'port 7000\nrequirepass "old pw\\x21"\nmaxmemory 1mb\n';
    const after = "port 7000\nrequirepass 'n\\'ew pw'\nmaxmemory 2mb\n";
    const plan = applyPlan(
      { kind: 'redis', targetPath: '/etc/redis.conf' } as ConfigSet,
      before,
      after,
    );
    const scripts = [
      plan.apply!,
      plan.revert!,
      redisPing(before),
      redisPing(after),
    ];
    for (const script of scripts) {
      for (const secret of ['old pw', "n'ew", "n'\\''ew", 'ew pw']) {
        expect(script).not.toContain(secret);
      }
      expect(script).toContain('REDISCLI_AUTH=$p2; export REDISCLI_AUTH');
      expect(script).not.toMatch(/redis-cli[^\n]* -a /);
    }
    expect(plan.apply).toContain(
      "out=$(printf '%s' \"${v%.}\" | cli -x CONFIG SET 'requirepass')",
    );
    expect(plan.apply).toContain("cli CONFIG SET 'maxmemory' '2mb'");
    // the revert reads the password the push set from the failed file
    expect(plan.keepFailed).toBe(true);
    expect(plan.revert).toContain('load "$TARGET.opsdeck-prev"');
    expect(plan.revert).toContain('rm -f -- "$TARGET.opsdeck-prev"');
    // an answer holding a password is withheld
    expect(plan.apply).toContain('"$(clean "$out")"');
  });

  it('reads requirepass on the host (awk) as redisArgs reads it', () => {
    const script = redisPing('port 1\n');
    // the script's shell functions, up to the first read of a file
    const functions = script.slice(0, script.indexOf('\nload() {'));
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-rconf-'));
    const rconf = (text: string) => {
      writeFileSync(join(dir, 'r.conf'), text);
      const r = spawnSync(
        'sh',
        ['-c', `${functions}\nrconf "$F" requirepass`],
        {
          env: { PATH: process.env.PATH, F: join(dir, 'r.conf') },
          encoding: 'latin1',
        },
      );
      return { status: r.status, out: r.stdout };
    };
    try {
      for (const line of [
        `requirepass "a\\\\b\\"c\\x41\\x4Z\\tq\\n"`,
        `requirepass 'n\\'ew "pw'`,
        ` RequirePass \tplain\t `,
        `requirepass x"y z"`,
      ]) {
        expect(rconf(`port 1\n# requirepass no\n${line}\r\n`)).toEqual({
          status: 0,
          out: `${redisArgs(line.trim())![1]}.`,
        });
      }
      // the last one counts; none: 3; a line redis refuses or two values: 2
      expect(rconf('requirepass a\nrequirepass b\n').out).toBe('b.');
      expect(rconf('port 1\n').status).toBe(3);
      expect(rconf('port "1\nrequirepass a\n').status).toBe(2);
      expect(rconf('requirepass a b\n').status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a password it cannot read as redis does, before anything is set', () => {
    const set = { kind: 'redis', targetPath: '/r.conf' } as ConfigSet;
    for (const bad of [
      'requirepass "open\n',
      'requirepass two words\n',
      'requirepass "a\\x00b"\n',
    ]) {
      const plan = applyPlan(set, 'maxmemory 1mb\n', `${bad}maxmemory 2mb\n`);
      expect(plan.apply).toMatch(
        /^echo 'cannot read the passwords of the redis config as redis does \(line 1: .*\): not applied' >&2; exit 1$/,
      );
      expect(plan.revert).toBeUndefined();
      expect(redisPing(bad)).toMatch(/^echo 'redis PING: cannot read/);
    }
  });

  it('pings with the password of the file it checks: PONG required then, NOAUTH passing only without one', () => {
    const ping = redisPing('port 7000\nrequirepass x\n');
    expect(ping).toContain(
      'if [ "$h2" = 1 ]; then REDISCLI_AUTH=$p2; export REDISCLI_AUTH; out=$(cli PING); [ "$out" = PONG ] && exit 0',
    );
    expect(ping).toContain('PONG|NOAUTH*) exit 0');
    // only $TARGET's password: the previous file is not read
    expect(ping).not.toContain('opsdeck-prev"; then');
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
    expect(plan.restart?.ping).toContain(
      `cli() { redis-cli -h 127.0.0.1 -p '7000' "$@" 2>&1; }`,
    );
    // a removed directive, or one redis 7 refuses as protected, too
    expect(
      applyPlan({ ...set, restartCommand: 'r' }, before, 'port 7000\n').apply,
    ).toBe('r');
    expect(redisChanges('dir /a\n', 'dir /b\n').restart).toEqual(['dir']);
    // what CONFIG REWRITE adds with default values is no change
    const rewritten = `${before}# Generated by CONFIG REWRITE\nlatency-tracking-info-percentiles 50 99 99.9\nuser default on nopass ~* &* +@all\n`;
    expect(redisChanges(rewritten, before)).toEqual({ set: [], restart: [] });
    // with a requirepass it writes the default user with the password's hash
    const withPass = `${before}requirepass "p w"\n`;
    expect(
      redisChanges(
        `${withPass}user default on #${createHash('sha256')
          .update('p w')
          .digest('hex')} ~* &* +@all\n`,
        withPass,
      ),
    ).toEqual({ set: [], restart: [] });
    expect(
      redisChanges(`${withPass}user default on #00 ~* &* +@all\n`, withPass)
        .restart,
    ).toEqual(['user']);
    expect(
      redisChanges(`${before}user default on nopass ~* +@all\n`, before)
        .restart,
    ).toEqual(['user']);
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
      `cli() { redis-cli -s '/run/r.sock' "$@" 2>&1; }`,
    );
    expect(redisPing('maxmemory 1mb\n')).toContain(
      `cli() { redis-cli -h 127.0.0.1 -p '6379' "$@" 2>&1; }`,
    );
  });
});
