import {
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  bob,
  configService,
  configTestEnv,
  giveToTestUser,
  testHosts,
} from '../__testUtils__/configTestKit';

jest.setTimeout(120_000);

// A hostile user on the host who may write the target's directory (a
// group-writable conf.d) but not other files plants symlinks where a push
// writes: the push must never write through them.
const env = configTestEnv(1, 'opsdeck-config-swap-');

describe('the swap on a hostile host', () => {
  it('writes neither the incoming nor the previous file through a planted symlink', async () => {
    const dir = join(env.work, 'conf.d');
    mkdirSync(dir);
    const target = join(dir, 'app.conf');
    writeFileSync(target, 'old\n');
    const victim = join(env.work, 'victim');
    writeFileSync(victim, 'victim\n', { mode: 0o600 });
    const victimDir = join(env.work, 'victim-dir');
    mkdirSync(victimDir);
    giveToTestUser(env.work);
    const hosts = testHosts(env);
    // the names a push used to write at, known in advance
    for (let id = 1; id <= 3; id++) {
      symlinkSync(
        victim,
        join(dir, `.app.conf.opsdeck-${id}-${hosts[0].name}`),
      );
    }
    symlinkSync(victimDir, `${target}.opsdeck-prev`);

    const { service } = await configService(env, hosts);
    const set = await service.createSet(
      {
        name: 'swap',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: target,
      },
      bob,
    );
    const v = await service.saveVersion(
      set.id,
      { template: 'new\n', variables: {}, message: 'new' },
      bob,
    );
    const { release, done } = await service.push(
      set.id,
      { version: v.version },
      bob,
    );
    expect(release.id).toBeLessThanOrEqual(3);
    await done;
    const r = (await service.store.getRelease(release.id))!;
    expect(r.hosts.map(h => [h.state, h.error])).toEqual([['done', undefined]]);

    expect(readFileSync(victim, 'utf8')).toBe('victim\n');
    expect(lstatSync(victim).mode & 0o777).toBe(0o600);
    expect(lstatSync(target).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    // the previous file replaced the planted link instead of landing in its directory
    expect(lstatSync(`${target}.opsdeck-prev`).isFile()).toBe(true);
    expect(readFileSync(`${target}.opsdeck-prev`, 'utf8')).toBe('old\n');
  });

  it('never reads or replaces a protected file a planted link points to', async () => {
    const dir = join(env.work, 'sites');
    mkdirSync(dir);
    const target = join(dir, 'site.conf');
    // the hostile user swapped the managed file for a link to the accounts
    symlinkSync('/etc/passwd', target);
    giveToTestUser(dir);
    const passwd = readFileSync('/etc/passwd', 'utf8');
    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    const set = await service.createSet(
      {
        name: 'site',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: target,
      },
      bob,
    );
    const v = await service.saveVersion(
      set.id,
      { template: 'site\n', variables: {}, message: 'site' },
      bob,
    );
    const [preview] = await service.preview(set.id, v.version, bob);
    expect(preview.live).toBeUndefined();
    expect(preview.liveError).toMatch(/\/etc\/passwd.*protected/);
    // adopting would make the file a version every config reader sees
    await expect(
      service.adopt(set.id, { host: hosts[0].name }, bob),
    ).rejects.toThrow(/protected/);
    const { release, done } = await service.push(
      set.id,
      { version: v.version },
      bob,
    );
    await done;
    const r = (await service.store.getRelease(release.id))!;
    expect(r.hosts[0].state).toBe('failed');
    expect(r.hosts[0].error).toMatch(/protected/);
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(passwd);
    expect(
      (await service.store.listVersions(set.id)).map(x => x.version),
    ).toEqual([1]);
  });

  it('validates in the staging copy only, never through a link in the stage root', async () => {
    const root = join(env.work, 'staged');
    mkdirSync(join(root, 'conf.d'), { recursive: true });
    const victim = join(env.work, 'staged-victim');
    writeFileSync(victim, 'victim\n');
    const elsewhere = join(env.work, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'inner.conf'), 'inner\n');
    // the managed file is an absolute link; a directory is a link out of the root
    symlinkSync(victim, join(root, 'conf.d', 'site.conf'));
    symlinkSync(elsewhere, join(root, 'linked'));
    giveToTestUser(env.work);
    const { service } = await configService(env, testHosts(env));
    const push = async (name: string, targetPath: string) => {
      const set = await service.createSet(
        {
          name,
          kind: 'text',
          owner: 'group:default/ops',
          selector: { tags: ['web'] },
          targetPath,
          stageRoot: root,
          // refuses, so that only validation touches anything
          validateCommand: 'false',
        },
        bob,
      );
      const v = await service.saveVersion(
        set.id,
        { template: 'new\n', variables: {}, message: 'new' },
        bob,
      );
      const { release, done } = await service.push(
        set.id,
        { version: v.version },
        bob,
      );
      await done;
      return (await service.store.getRelease(release.id))!.hosts[0];
    };
    expect(
      (await push('staged-file', join(root, 'conf.d', 'site.conf'))).state,
    ).toBe('invalid');
    expect(readFileSync(victim, 'utf8')).toBe('victim\n');
    const linked = await push('staged-dir', join(root, 'linked', 'inner.conf'));
    expect(linked.state).toBe('invalid');
    expect(linked.error).toMatch(/out of the staging/);
    expect(readFileSync(join(elsewhere, 'inner.conf'), 'utf8')).toBe('inner\n');
  });
});
