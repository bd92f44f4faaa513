import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPlan } from './applyPlan';
import { redisChanges } from './kinds';
import type { ConfigSet } from '@opsdeck/plugin-config-common';
import {
  bob,
  configService,
  configTestEnv,
  giveToTestUser,
  recordServer,
  stopServers,
  testHosts,
  TEST_USER,
} from '../__testUtils__/configTestKit';

jest.setTimeout(180_000);

// A real redis-server (Debian package redis-server) per sshd test host,
// started by this test over SSH as the hosts' login user, stopped by
// configTestEnv's afterAll.
const env = configTestEnv(1, 'opsdeck-config-redis-');

const dirOf = () => join(env.work, 'redis');
const confPath = () => join(dirOf(), 'redis.conf');

const TEMPLATE = `# managed by opsdeck
port {{vars.port}}
bind 127.0.0.1
daemonize yes
dir {{vars.dir}}
pidfile {{vars.dir}}/redis.pid
logfile {{vars.dir}}/redis.log
save ""
appendonly no
maxmemory {{vars.maxmemory}}
maxmemory-policy {{vars.policy}}
`;

const target = () => ({
  host: '127.0.0.1',
  port: env.sshd.hosts[0].port,
  credentials: { username: TEST_USER, privateKey: env.sshd.privateKeyText },
});
const cli = async (...args: string[]) =>
  (
    await env.pool.execChecked(
      target(),
      `redis-cli -h 127.0.0.1 -p ${env.ports[0]} ${args.join(' ')}`,
    )
  ).stdout.trim();

beforeAll(async () => {
  mkdirSync(dirOf());
  const vars = { port: env.ports[0], dir: dirOf() };
  writeFileSync(
    confPath(),
    TEMPLATE.replace('{{vars.port}}', String(vars.port))
      .replace(/\{\{vars\.dir\}\}/g, vars.dir)
      .replace('{{vars.maxmemory}}', '10mb')
      .replace('{{vars.policy}}', 'noeviction'),
  );
  giveToTestUser(dirOf());
  await env.pool.execChecked(target(), `redis-server ${confPath()}`);
  // stopped by the kit's afterAll (also after a failure), not over SSH: the
  // sshd host that started it may be gone by then
  await recordServer(env, join(dirOf(), 'redis.pid'));
  for (let i = 0; i < 50; i++) {
    if ((await cli('PING').catch(() => '')) === 'PONG') break;
    await new Promise(r => setTimeout(r, 100));
  }
});

describe('redis config sets on a real host', () => {
  it('applies a parameter hot (CONFIG SET + CONFIG REWRITE), refuses a bad file with redis-server itself, finds drift', async () => {
    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    const set = await service.createSet(
      {
        name: 'cache',
        kind: 'redis',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: confPath(),
        healthCheck: { type: 'tcp', address: '127.0.0.1:{{vars.port}}' },
      },
      bob,
    );
    const save = (maxmemory: string, template = TEMPLATE) =>
      service.saveVersion(
        set.id,
        {
          template,
          variables: {
            defaults: { policy: 'allkeys-lru', dir: dirOf() },
            environments: { staging: { maxmemory } },
            hosts: { [hosts[0].entityRef]: { port: env.ports[0] } },
          },
          message: `maxmemory ${maxmemory}`,
        },
        bob,
      );
    const push = async (version: number) => {
      const { release, done } = await service.push(set.id, { version }, bob);
      await done;
      return (await service.store.getRelease(release.id))!;
    };
    const pid = await cli('INFO', 'server').then(
      s => /process_id:(\d+)/.exec(s)![1],
    );

    const v1 = await save('64mb');
    let r = await push(v1.version);
    expect(r.hosts.map(h => [h.state, h.error])).toEqual([['done', undefined]]);
    expect(await cli('CONFIG', 'GET', 'maxmemory')).toBe(
      `maxmemory\n${64 * 1024 * 1024}`,
    );
    expect(await cli('CONFIG', 'GET', 'maxmemory-policy')).toBe(
      'maxmemory-policy\nallkeys-lru',
    );
    // applied hot: the same process, no restart
    expect(
      await cli('INFO', 'server').then(s => /process_id:(\d+)/.exec(s)![1]),
    ).toBe(pid);
    // CONFIG REWRITE kept the file and the running server in agreement
    expect(readFileSync(confPath(), 'utf8')).toMatch(/^maxmemory 64mb$/m);

    // a directive redis does not know: redis-server refuses the staged file
    const before = readFileSync(confPath(), 'utf8');
    const bad = await save('32mb', `${TEMPLATE}maxmemroy 1gb\n`);
    r = await push(bad.version);
    expect(r.hosts[0].state).toBe('invalid');
    expect(r.hosts[0].error).toContain('maxmemroy');
    expect(readFileSync(confPath(), 'utf8')).toBe(before);
    expect(await cli('CONFIG', 'GET', 'maxmemory')).toBe(
      `maxmemory\n${64 * 1024 * 1024}`,
    );

    // a bad value is refused too (redis checks values when it loads the file)
    const badValue = await save('lots');
    r = await push(badValue.version);
    expect(r.hosts[0].state).toBe('invalid');

    // drift: someone changed the file by hand
    expect((await service.drift(set.id, bob))[0].drifted).toBe(false);
    writeFileSync(confPath(), `${before}maxclients 100\n`);
    const [drift] = await service.drift(set.id, bob);
    expect(drift.drifted).toBe(true);
    expect(drift.diff).toContain('+maxclients 100');

    // adopt the hand edit as a new version: no drift any more, and it renders back to the file
    const adopted = await service.adopt(set.id, { host: hosts[0].name }, bob);
    expect(adopted.adoptedFromHost).toBe(hosts[0].entityRef);
    expect((await service.drift(set.id, bob))[0].drifted).toBe(false);
    const [preview] = await service.preview(set.id, adopted.version, bob);
    expect(preview.diff).toBe('');
  });

  it("applies a change the running server cannot take with the set's restart command, and reverts a restart whose health check fails", async () => {
    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    const definition = {
      name: 'cache-restart',
      kind: 'redis' as const,
      owner: 'group:default/ops',
      selector: { tags: ['web'] },
      targetPath: confPath(),
      healthCheck: {
        type: 'tcp' as const,
        address: '127.0.0.1:{{vars.checkPort}}',
      },
    };
    const set = await service.createSet(definition, bob);
    const save = (databases: number, checkPort: number) =>
      service.saveVersion(
        set.id,
        {
          template: `${TEMPLATE}databases {{vars.databases}}\n`,
          variables: {
            defaults: {
              policy: 'allkeys-lru',
              dir: dirOf(),
              maxmemory: '64mb',
              databases,
            },
            hosts: {
              [hosts[0].entityRef]: { port: env.ports[0], checkPort },
            },
          },
          message: `databases ${databases}`,
        },
        bob,
      );
    const push = async (version: number) => {
      const { release, done } = await service.push(set.id, { version }, bob);
      await done;
      return (await service.store.getRelease(release.id))!;
    };
    const pid = () =>
      cli('INFO', 'server').then(s => /process_id:(\d+)/.exec(s)![1]);

    // `databases` is immutable in a running redis: without a restart
    // command the push is reverted, naming what needs the restart
    const v1 = await save(32, env.ports[0]);
    const before = readFileSync(confPath(), 'utf8');
    const pidBefore = await pid();
    let r = await push(v1.version);
    expect(r.hosts[0].state).toBe('reverted');
    expect(r.hosts[0].error).toMatch(
      /needs a restart, not applied hot: databases.*give the set a restart command/,
    );
    expect(readFileSync(confPath(), 'utf8')).toBe(before);
    expect(await pid()).toBe(pidBefore);
    expect(await cli('CONFIG', 'GET', 'databases')).toBe('databases\n16');

    // with one: the server is restarted with the new file and serves it
    const pidFile = join(dirOf(), 'redis.pid');
    await service.updateSet(
      set.id,
      {
        ...definition,
        restartCommand: [
          `pid=$(cat ${pidFile} 2>/dev/null || true)`,
          'if [ -n "$pid" ]; then kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; fi',
          'redis-server "$TARGET"',
        ].join('\n'),
      },
      bob,
    );
    r = await push(v1.version);
    expect(r.hosts.map(h => [h.state, h.error])).toEqual([['done', undefined]]);
    await recordServer(env, pidFile);
    expect(await pid()).not.toBe(pidBefore);
    expect(await cli('CONFIG', 'GET', 'databases')).toBe('databases\n32');
    expect(await cli('SELECT', '31')).toBe('OK');
    const v1File = readFileSync(confPath(), 'utf8');
    expect(v1File).toMatch(/^databases 32$/m);
    expect((await service.drift(set.id, bob))[0].drifted).toBe(false);

    // restarted, but its health check fails: the previous file is put back
    // and the server restarted with it
    const v2 = await save(24, 1);
    r = await push(v2.version);
    await recordServer(env, pidFile);
    expect(r.hosts[0].state).toBe('reverted');
    expect(r.hosts[0].error).toMatch(
      /health check failed.*previous file restored and the server restarted/,
    );
    expect(readFileSync(confPath(), 'utf8')).toBe(v1File);
    expect(await cli('PING')).toBe('PONG');
    expect(await cli('CONFIG', 'GET', 'databases')).toBe('databases\n32');

    // what the running server can take is still applied hot, also after a
    // CONFIG REWRITE added its default lines to the file
    const pidRestarted = await pid();
    const hot = async (maxmemory: string) => {
      const v = await service.saveVersion(
        set.id,
        {
          template: `${TEMPLATE}databases {{vars.databases}}\n`,
          variables: {
            defaults: {
              policy: 'allkeys-lru',
              dir: dirOf(),
              maxmemory,
              databases: 32,
            },
            hosts: {
              [hosts[0].entityRef]: {
                port: env.ports[0],
                checkPort: env.ports[0],
              },
            },
          },
          message: `maxmemory ${maxmemory}`,
        },
        bob,
      );
      return push(v.version);
    };
    for (const maxmemory of ['32mb', '48mb']) {
      r = await hot(maxmemory);
      expect(r.hosts.map(h => [h.state, h.error])).toEqual([
        ['done', undefined],
      ]);
    }
    expect(await cli('CONFIG', 'GET', 'maxmemory')).toBe(
      `maxmemory\n${48 * 1024 * 1024}`,
    );
    expect(await pid()).toBe(pidRestarted);
  });

  it('authenticates with the requirepass read on the host: applies hot, changes the password hot, reverts, never shows it', async () => {
    // a server started with a password (the others' server is stopped)
    await stopServers(env);
    const dir = join(env.work, 'redis-auth');
    const conf = join(dir, 'redis.conf');
    // as the file writes them (quoted, escaped) and as redis reads them
    const pass1 = { file: `"pa ss\\x21'q"`, value: `pa ss!'q` };
    const pass2 = { file: `'n\\'ew "pw'`, value: `n'ew "pw` };
    const template = `${TEMPLATE}requirepass {{vars.auth}}\n`;
    mkdirSync(dir);
    writeFileSync(
      conf,
      template
        .replace('{{vars.port}}', String(env.ports[0]))
        .replace(/\{\{vars\.dir\}\}/g, dir)
        .replace('{{vars.maxmemory}}', '10mb')
        .replace('{{vars.policy}}', 'noeviction')
        .replace('{{vars.auth}}', pass1.file),
    );
    giveToTestUser(dir);
    await env.pool.execChecked(target(), `redis-server ${conf}`);
    await recordServer(env, join(dir, 'redis.pid'));
    // the test's own redis-cli (the server listens on this machine's loopback)
    const acli = (pass: string | undefined, ...args: string[]) =>
      new Promise<string>(resolve =>
        execFile(
          'redis-cli',
          ['-h', '127.0.0.1', '-p', String(env.ports[0]), ...args],
          {
            env: {
              PATH: process.env.PATH,
              ...(pass === undefined ? {} : { REDISCLI_AUTH: pass }),
            },
          },
          (_e, stdout, stderr) => resolve(`${stdout}${stderr}`.trim()),
        ),
      );
    for (let i = 0; i < 50; i++) {
      if ((await acli(pass1.value, 'PING')) === 'PONG') break;
      await new Promise(r => setTimeout(r, 100));
    }
    expect(await acli(undefined, 'PING')).toMatch(/^NOAUTH/);
    const pid = async () =>
      /process_id:(\d+)/.exec(await acli(pass2.value, 'INFO', 'server'))?.[1];

    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    // every command the release runs on the host, with its environment
    const ran = jest.spyOn(env.pool, 'exec');
    const definition = {
      name: 'cache-auth',
      kind: 'redis' as const,
      owner: 'group:default/ops',
      selector: { tags: ['web'] },
      targetPath: conf,
      healthCheck: {
        type: 'tcp' as const,
        address: '127.0.0.1:{{vars.checkPort}}',
      },
    };
    const set = await service.createSet(definition, bob);
    const push = async (
      maxmemory: string,
      auth: string,
      checkPort = env.ports[0],
      extra = '',
    ) => {
      const v = await service.saveVersion(
        set.id,
        {
          template: `${template}${extra}`,
          variables: {
            defaults: { policy: 'allkeys-lru', dir, maxmemory, auth },
            hosts: {
              [hosts[0].entityRef]: { port: env.ports[0], checkPort },
            },
          },
          message: `maxmemory ${maxmemory}`,
        },
        bob,
      );
      const { release, done } = await service.push(
        set.id,
        { version: v.version },
        bob,
      );
      await done;
      return (await service.store.getRelease(release.id))!;
    };
    const errors: string[] = [];
    const seen = (r: Awaited<ReturnType<typeof push>>) => {
      errors.push(...r.hosts.map(h => h.error ?? ''));
      return r.hosts.map(h => [h.state, h.error]);
    };

    // a hot change on a server with a password (NOAUTH and a revert before)
    expect(seen(await push('32mb', pass1.file))).toEqual([['done', undefined]]);
    expect(await acli(pass1.value, 'CONFIG', 'GET', 'maxmemory')).toBe(
      `maxmemory\n${32 * 1024 * 1024}`,
    );

    // the password itself, hot: the same process then wants the new one
    const pidBefore = await acli(pass1.value, 'INFO', 'server').then(
      s => /process_id:(\d+)/.exec(s)?.[1],
    );
    expect(seen(await push('32mb', pass2.file))).toEqual([['done', undefined]]);
    expect(await acli(pass2.value, 'PING')).toBe('PONG');
    expect(await acli(pass1.value, 'PING')).not.toBe('PONG');
    expect(await acli(undefined, 'PING')).toMatch(/^NOAUTH/);
    expect(await pid()).toBe(pidBefore);

    // after CONFIG REWRITE wrote the default user with the password's hash,
    // a change is still applied hot
    expect(seen(await push('48mb', pass2.file))).toEqual([['done', undefined]]);
    const v3File = readFileSync(conf, 'utf8');

    // a password and a value set hot whose health check fails: the revert
    // authenticates with the password the push set and puts both back
    const r = await push('16mb', pass1.file, 1);
    expect(r.hosts[0].state).toBe('reverted');
    expect(r.hosts[0].error).toMatch(
      /health check failed.*previous file restored and reloaded/,
    );
    seen(r);
    // the previous file back (rewritten by the revert's CONFIG REWRITE)
    expect(redisChanges(v3File, readFileSync(conf, 'utf8'))).toEqual({
      set: [],
      restart: [],
    });
    expect(existsSync(`${conf}.opsdeck-prev`)).toBe(false);
    expect(await acli(pass2.value, 'CONFIG', 'GET', 'maxmemory')).toBe(
      `maxmemory\n${48 * 1024 * 1024}`,
    );
    expect(await acli(pass1.value, 'PING')).not.toBe('PONG');
    expect(await pid()).toBe(pidBefore);

    // a restart without a health check of the set's own is checked by a
    // PING with the new file's password: a server still on the old one
    // (here the restart command restarts nothing) is no proof, and the push
    // is reverted (NOAUTH passed before)
    await service.updateSet(
      set.id,
      { ...definition, healthCheck: undefined, restartCommand: 'true' },
      bob,
    );
    const unproven = await push('48mb', pass1.file, 1, 'databases 8\n');
    seen(unproven);
    expect(unproven.hosts[0].state).toBe('reverted');
    expect(unproven.hosts[0].error).toMatch(
      /health check failed: redis PING: .*WRONGPASS.*previous file restored and the server restarted/s,
    );
    expect(await acli(pass2.value, 'PING')).toBe('PONG');
    // restarted for real with the new file: its password answers PONG
    const pidFile = join(dir, 'redis.pid');
    await service.updateSet(
      set.id,
      {
        ...definition,
        healthCheck: undefined,
        restartCommand: [
          `pid=$(cat ${pidFile})`,
          'kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done',
          'redis-server "$TARGET"',
        ].join('\n'),
      },
      bob,
    );
    const restarted = await push('48mb', pass1.file, 1, 'databases 8\n');
    await recordServer(env, pidFile);
    expect(seen(restarted)).toEqual([['done', undefined]]);
    expect(await acli(pass1.value, 'CONFIG', 'GET', 'databases')).toBe(
      'databases\n8',
    );

    // no password in the hosts' errors nor in the scripts run on the host
    const commands = ran.mock.calls.map(
      ([, command, options]) => `${command}\n${JSON.stringify(options?.env)}`,
    );
    ran.mockRestore();
    expect(commands.some(c => c.includes('REDISCLI_AUTH'))).toBe(true);
    const plan = applyPlan(
      { kind: 'redis', targetPath: conf } as ConfigSet,
      v3File,
      v3File
        .replace(/^requirepass .*$/m, `requirepass ${pass1.file}`)
        .replace(/^maxmemory .*$/m, 'maxmemory 16mb'),
    );
    for (const text of [...errors, ...commands, plan.apply!, plan.revert!]) {
      for (const secret of ['pa ss', `n'ew`, `n\\'ew`, 'ew \\"pw']) {
        expect(text).not.toContain(secret);
      }
    }
    expect(plan.apply).toContain("cli -x CONFIG SET 'requirepass'");
  });
});
