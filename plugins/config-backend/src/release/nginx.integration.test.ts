import { eventually } from '@opsdeck/plugin-remote-node/testUtils';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bob,
  configService,
  configTestEnv,
  giveToTestUser,
  recordServer,
  testHosts,
  TEST_USER,
} from '../__testUtils__/configTestKit';

jest.setTimeout(180_000);

// Real nginx (Debian package nginx, scripts/lib/packages.sh) on two sshd test
// hosts: each host gets its own nginx prefix and port, started by this test
// over SSH as the hosts' login user, stopped by configTestEnv's afterAll.
const env = configTestEnv(2, 'opsdeck-config-nginx-');

const prefixOf = (i: number) => join(env.work, `nginx-${i}`);
const confOf = (i: number) => join(prefixOf(i), 'nginx.conf');

const TEMPLATE = `pid {{vars.prefix}}/nginx.pid;
error_log {{vars.prefix}}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path {{vars.prefix}}/tmp;
  proxy_temp_path {{vars.prefix}}/tmp;
  fastcgi_temp_path {{vars.prefix}}/tmp;
  uwsgi_temp_path {{vars.prefix}}/tmp;
  scgi_temp_path {{vars.prefix}}/tmp;
  # relative include: resolved inside the staged tree during validation
  include conf.d/extra.conf;
  server {
    listen 127.0.0.1:{{vars.port}};
    location / { return 200 "{{vars.greeting}} from {{host.name}}\\n"; }
    location /health { return {{vars.healthStatus}} "{{vars.greeting}}"; }
  }
}
`;

async function get(i: number, path = '/') {
  const res = await fetch(`http://127.0.0.1:${env.ports[i]}${path}`);
  return { status: res.status, body: await res.text() };
}

async function sshRun(i: number, command: string) {
  return env.pool.execChecked(
    {
      host: '127.0.0.1',
      port: env.sshd.hosts[i].port,
      credentials: { username: TEST_USER, privateKey: env.sshd.privateKeyText },
    },
    command,
  );
}

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const prefix = prefixOf(i);
    mkdirSync(join(prefix, 'conf.d'), { recursive: true });
    mkdirSync(join(prefix, 'tmp'));
    writeFileSync(
      join(prefix, 'conf.d', 'extra.conf'),
      'map $uri $opsdeck_test { default 1; }\n',
    );
    // the hand-written starting config: serves "initial"
    writeFileSync(
      confOf(i),
      TEMPLATE.replace(/\{\{vars\.prefix\}\}/g, prefix)
        .replace(/\{\{vars\.port\}\}/g, String(env.ports[i]))
        .replace('{{vars.greeting}}', 'initial')
        .replace('{{host.name}}', `cfg-${i}`)
        .replace('{{vars.healthStatus}}', '200'),
    );
    giveToTestUser(prefix);
    await sshRun(i, `/usr/sbin/nginx -e /dev/stderr -c ${confOf(i)}`);
    // stopped by the kit's afterAll (also after a failure), not over SSH:
    // the sshd hosts that started it may be gone by then
    await recordServer(env, join(prefix, 'nginx.pid'));
  }
  for (let i = 0; i < 2; i++) {
    const { body } = await get(i);
    if (body !== `initial from cfg-${i}\n`) {
      throw new Error(`nginx on host ${i} did not start: ${body}`);
    }
  }
});

describe('nginx config sets on real hosts', () => {
  it('pushes, validates with nginx -t, serves; refuses an invalid config; reverts a failed health check; finds drift; rolls back', async () => {
    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    const web = await service.createSet(
      {
        name: 'web',
        kind: 'nginx',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: confOf(0),
        healthCheck: {
          type: 'http',
          url: 'http://127.0.0.1:{{vars.port}}/health',
          // the version's own marker: the check passes only once the reload took effect
          expectBody: '{{vars.greeting}}',
        },
      },
      bob,
    );
    // the test hosts share one filesystem: push host 0's file from this set
    // and host 1's from a second set with the same template
    const web1 = await service.createSet(
      { ...web, name: 'web-1', targetPath: confOf(1) },
      bob,
    );
    const variables = (greeting: string, healthStatus = 200) => ({
      defaults: { greeting, healthStatus },
      hosts: Object.fromEntries(
        hosts.map((h, i) => [
          h.entityRef,
          { prefix: prefixOf(i), port: env.ports[i] },
        ]),
      ),
    });
    const save = (
      setId: number,
      greeting: string,
      template = TEMPLATE,
      healthStatus = 200,
    ) =>
      service.saveVersion(
        setId,
        {
          template,
          variables: variables(greeting, healthStatus),
          message: greeting,
        },
        bob,
      );
    const push = async (setId: number, host: number, version: number) => {
      const { release, done } = await service.push(
        setId,
        { version, hosts: [hosts[host].name] },
        bob,
      );
      await done;
      return (await service.store.getRelease(release.id))!;
    };

    // 1. a valid change is pushed and served
    const v1 = await save(web.id, 'v1');
    const v1b = await save(web1.id, 'v1');
    const preview = await service.preview(web.id, v1.version, bob);
    expect(preview.find(p => p.host === hosts[0].entityRef)!.diff).toContain(
      '+    location / { return 200 "v1 from cfg-0\\n"; }',
    );
    let r = await push(web.id, 0, v1.version);
    expect(r.hosts.map(h => [h.state, h.error])).toEqual([['done', undefined]]);
    r = await push(web1.id, 1, v1b.version);
    expect(r.status).toBe('done');
    expect((await get(0)).body).toBe('v1 from cfg-0\n');
    expect((await get(1)).body).toBe('v1 from cfg-1\n');
    expect(readFileSync(`${confOf(0)}.opsdeck-prev`, 'utf8')).toContain(
      'initial from cfg-0',
    );

    // 2. an invalid config never becomes active
    const before = readFileSync(confOf(0), 'utf8');
    const bad = await save(
      web.id,
      'v2',
      TEMPLATE.replace('location / { return', 'location / { retur'),
    );
    r = await push(web.id, 0, bad.version);
    expect(r.hosts[0].state).toBe('invalid');
    expect(r.hosts[0].error).toContain('unknown directive "retur"');
    expect(readFileSync(confOf(0), 'utf8')).toBe(before);
    expect((await get(0)).body).toBe('v1 from cfg-0\n');

    // 3. a change whose health check fails is reverted automatically
    const sick = await save(web.id, 'v3', TEMPLATE, 500);
    r = await push(web.id, 0, sick.version);
    expect(r.hosts[0].state).toBe('reverted');
    expect(r.hosts[0].error).toMatch(/answered 500, expected 200/);
    expect(readFileSync(confOf(0), 'utf8')).toBe(before);
    // the revert's reload takes effect as nginx replaces its workers
    await eventually(async () => (await get(0)).body === 'v1 from cfg-0\n');
    expect((await get(0, '/health')).status).toBe(200);

    // 4. drift after a hand edit
    expect(await service.drift(web.id, bob)).toEqual([
      expect.objectContaining({ host: hosts[0].entityRef, drifted: false }),
    ]);
    writeFileSync(confOf(0), before.replace('v1 from', 'hand-edited from'));
    const [drift] = await service.drift(web.id, bob);
    expect(drift).toMatchObject({ drifted: true, pushedVersion: v1.version });
    expect(drift.diff).toContain(
      '+    location / { return 200 "hand-edited from',
    );

    // 5. rollback to any version: a new version repeating v1, pushed
    const v4 = await save(web.id, 'v4');
    r = await push(web.id, 0, v4.version);
    expect((await get(0)).body).toBe('v4 from cfg-0\n');
    const rb = await service.rollback(
      web.id,
      { toVersion: v1.version, hosts: [hosts[0].name] },
      bob,
    );
    await rb.done;
    expect(rb.version).toMatchObject({
      version: v4.version + 1,
      rolledBackFrom: v1.version,
    });
    expect((await service.store.getRelease(rb.release.id))!).toMatchObject({
      action: 'rollback',
      status: 'done',
    });
    expect((await get(0)).body).toBe('v1 from cfg-0\n');
    // history kept: every version is still there, unchanged
    const versions = await service.store.listVersions(web.id);
    expect(versions.map(v => v.version)).toEqual([5, 4, 3, 2, 1]);
    expect(versions.find(v => v.version === 2)!.template).toContain('retur');
  });

  it('aborts a running release: the host mid-push ends its own step (served or reverted), later hosts are never started', async () => {
    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    // the reload waits for a gate file: the test aborts while host 0 is in
    // its reload step, then opens the gate
    const gate = join(env.work, 'abort-gate');
    const set = await service.createSet(
      {
        name: 'web-abort',
        kind: 'nginx',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: confOf(0),
        reloadCommand: `while [ ! -e ${gate} ]; do sleep 0.1; done; nginx -s reload -e /dev/stderr -c "$TARGET"`,
        healthCheck: {
          type: 'http',
          url: 'http://127.0.0.1:{{vars.port}}/health',
          expectBody: '{{vars.greeting}}',
        },
      },
      bob,
    );
    const save = (greeting: string, healthStatus = 200) =>
      service.saveVersion(
        set.id,
        {
          template: TEMPLATE,
          variables: {
            defaults: { greeting, healthStatus },
            hosts: Object.fromEntries(
              hosts.map(h => [
                h.entityRef,
                { prefix: prefixOf(0), port: env.ports[0] },
              ]),
            ),
          },
          message: greeting,
        },
        bob,
      );
    const abortMidPush = async (version: number) => {
      rmSync(gate, { force: true });
      const { release, done } = await service.push(
        set.id,
        { version, batchSize: 1 },
        bob,
      );
      await eventually(
        async () =>
          (await service.store.getRelease(release.id))!.hosts[0].state ===
          'reloading',
      );
      // two people abort at once: one statement decides
      const outcomes = await Promise.allSettled([
        service.abortRelease(release.id, bob),
        service.abortRelease(release.id, bob),
      ]);
      expect(outcomes.map(o => o.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const aborting = (await service.store.getRelease(release.id))!;
      expect(aborting.status).toBe('aborting');
      expect(aborting.hosts.map(h => h.state)).toEqual([
        'reloading',
        'aborted',
      ]);
      // the set stays busy until the host mid-push has ended its step
      await expect(service.push(set.id, { version }, bob)).rejects.toThrow(
        /still aborting/,
      );
      writeFileSync(gate, '');
      await done;
      return (await service.store.getRelease(release.id))!;
    };

    // 1. a valid change: host 0 completes its push (validated, swapped,
    // reloaded, health-checked) and serves it; host 1 is never started
    const good = await save('abort-ok');
    let r = await abortMidPush(good.version);
    expect(r).toMatchObject({ status: 'aborted', abortedBy: bob.ref });
    expect(r.hosts.map(h => [h.state, h.startedAt !== undefined])).toEqual([
      ['done', true],
      ['aborted', false],
    ]);
    expect(r.hosts[1].error).toMatch(/aborted by user:default\/bob/);
    expect((await get(0)).body).toBe('abort-ok from cfg-0\n');

    // 2. a change whose health check fails after the abort: reverted, never
    // left half-swapped
    const before = readFileSync(confOf(0), 'utf8');
    const sick = await save('abort-sick', 500);
    r = await abortMidPush(sick.version);
    expect(r.status).toBe('aborted');
    expect(r.hosts.map(h => h.state)).toEqual(['reverted', 'aborted']);
    expect(readFileSync(confOf(0), 'utf8')).toBe(before);
    await eventually(
      async () => (await get(0)).body === 'abort-ok from cfg-0\n',
    );
    // ended: no abort any more
    await expect(service.abortRelease(r.id, bob)).rejects.toThrow(
      /aborted: it cannot be aborted/,
    );
  });
  it('pushes without reload (nginx keeps serving the old config), reloads as a separate step, reverts a reload whose health check fails', async () => {
    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    const set = await service.createSet(
      {
        name: 'web-two-step',
        kind: 'nginx',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: confOf(1),
        healthCheck: {
          type: 'http',
          url: 'http://127.0.0.1:{{vars.port}}/health',
          expectBody: '{{vars.greeting}}',
        },
      },
      bob,
    );
    const save = (greeting: string, healthStatus = 200) =>
      service.saveVersion(
        set.id,
        {
          template: TEMPLATE,
          variables: {
            defaults: { greeting, healthStatus },
            hosts: {
              [hosts[1].entityRef]: { prefix: prefixOf(1), port: env.ports[1] },
            },
          },
          message: greeting,
        },
        bob,
      );
    const pushed = async (version: number) => {
      const { release, done } = await service.push(
        set.id,
        { version, hosts: [hosts[1].name], reload: false },
        bob,
      );
      await done;
      return (await service.store.getRelease(release.id))!;
    };
    const reload = async (id: number) => {
      const outcome = await service.reloadRelease(id, {}, bob);
      if (outcome.requested) throw new Error('no approval needed here');
      await outcome.done;
      return (await service.store.getRelease(id))!;
    };
    const served = (await get(1)).body;
    const before = readFileSync(confOf(1), 'utf8');

    // 1. pushed without reload: validated and swapped in, nginx still
    // serves the old config; the previous file is kept
    const v1 = await save('two-step');
    let r = await pushed(v1.version);
    expect(r).toMatchObject({ status: 'swapped', reload: false });
    expect(r.hosts.map(h => [h.state, h.error])).toEqual([
      ['swapped', undefined],
    ]);
    expect(readFileSync(confOf(1), 'utf8')).toContain('two-step from cfg-1');
    expect(readFileSync(`${confOf(1)}.opsdeck-prev`, 'utf8')).toBe(before);
    expect((await get(1)).body).toBe(served);
    // the release holds the set until reloaded
    await expect(
      service.push(set.id, { version: v1.version }, bob),
    ).rejects.toThrow(/wait for a reload/);

    // 2. the reload step: reloaded, health-checked, served
    r = await reload(r.id);
    expect(r).toMatchObject({ status: 'done', reloadedBy: bob.ref });
    expect(r.hosts.map(h => h.state)).toEqual(['done']);
    expect((await get(1)).body).toBe('two-step from cfg-1\n');
    // reloaded once: a second reload is refused
    await expect(service.reloadRelease(r.id, {}, bob)).rejects.toThrow(
      /does not wait for a reload/,
    );

    // 3. a reload whose health check fails: the previous file is put back
    // and reloaded
    const good = readFileSync(confOf(1), 'utf8');
    const sick = await save('two-step-sick', 500);
    r = await pushed(sick.version);
    expect(r.status).toBe('swapped');
    expect((await get(1)).body).toBe('two-step from cfg-1\n');
    r = await reload(r.id);
    expect(r.status).toBe('failed');
    expect(r.hosts[0].state).toBe('reverted');
    expect(r.hosts[0].error).toMatch(/answered 500, expected 200/);
    expect(readFileSync(confOf(1), 'utf8')).toBe(good);
    await eventually(
      async () => (await get(1)).body === 'two-step from cfg-1\n',
    );
  });
});
