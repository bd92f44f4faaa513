import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bob,
  configService,
  configTestEnv,
  giveToTestUser,
  testHosts,
} from '../__testUtils__/configTestKit';
import { factsOfDetail } from '@opsdeck/plugin-cmdb-node';

jest.setTimeout(120_000);

const env = configTestEnv(1, 'opsdeck-config-facts-');

describe('host facts in a push', () => {
  it("writes the host's CMDB facts read at push into the file on the host", async () => {
    const hosts = testHosts(env);
    const target = join(env.work, 'workers.conf');
    giveToTestUser(env.work);
    const factsOf = jest.fn(
      async () =>
        new Map([
          [
            hosts[0].entityRef,
            factsOfDetail({ cpuCount: 6, memTotalBytes: 2 * 1024 ** 3 }),
          ],
        ]),
    );
    const { service, store } = await configService(env, hosts, {
      facts: { factsOf },
    });
    const set = await service.createSet(
      {
        name: 'workers',
        kind: 'text',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: target,
      },
      bob,
    );
    const v = await service.saveVersion(
      set.id,
      {
        template:
          '{{host.name}} workers={{facts.cpuCount}} mem={{facts.memTotalMiB}}M\n',
        variables: {},
        message: 'facts',
      },
      bob,
    );
    const { release, done } = await service.push(
      set.id,
      { version: v.version },
      bob,
    );
    await done;
    const r = (await store.getRelease(release.id))!;
    expect(r.hosts.map(h => [h.state, h.error])).toEqual([['done', undefined]]);
    expect(readFileSync(target, 'utf8')).toBe('cfg-0 workers=6 mem=2048M\n');
    expect(factsOf).toHaveBeenCalledWith(hosts, {
      credentials: bob.credentials,
    });
  });
});
