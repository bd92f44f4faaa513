import { mockServices } from '@backstage/backend-test-utils';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bob,
  configService,
  configTestEnv,
  testHosts,
} from '../__testUtils__/configTestKit';
import { DriftWatcher } from './DriftWatcher';

jest.setTimeout(120_000);

const env = configTestEnv(1, 'opsdeck-config-drift-');

describe('DriftWatcher', () => {
  it('tells the owner once per hand edit, and again after another edit', async () => {
    const hosts = testHosts(env);
    const { service } = await configService(env, hosts);
    const target = join(env.work, 'app.yaml');
    const set = await service.createSet(
      {
        name: 'app',
        kind: 'yaml',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: target,
      },
      bob,
    );
    const v = await service.saveVersion(
      set.id,
      {
        template: 'level: {{vars.level}}\n',
        variables: { defaults: { level: 'info' } },
        message: 'first',
      },
      bob,
    );
    await (
      await service.push(set.id, { version: v.version }, bob)
    ).done;

    const notify = jest.fn(async () => undefined);
    const watcher = new DriftWatcher({
      service,
      credentials: async () => bob.credentials,
      notify,
      logger: mockServices.logger.mock(),
    });
    expect(await watcher.checkAll()).toEqual([]);

    writeFileSync(target, 'level: debug\n');
    expect(await watcher.checkAll()).toEqual([
      { setId: set.id, hosts: [hosts[0].entityRef] },
    ]);
    expect(notify).toHaveBeenCalledTimes(1);
    expect((notify.mock.calls[0] as any[])[1][0].diff).toContain(
      '+level: debug',
    );
    // still the same edit: not reported again
    expect(await watcher.checkAll()).toEqual([]);
    writeFileSync(target, 'level: trace\n');
    expect(await watcher.checkAll()).toHaveLength(1);
    expect(notify).toHaveBeenCalledTimes(2);
  });
});
