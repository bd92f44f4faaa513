import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { HostDetail, HostTarget } from '@opsdeck/plugin-cmdb-common';
import { ConfigStore } from '../database/ConfigStore';
import { applyConfigMigrations } from '../database/migrations';
import type { Releaser } from '../release/Releaser';
import { ConfigService, type Caller } from './ConfigService';
import { factsOfDetail } from '@opsdeck/plugin-cmdb-node';
import {
  testHostDetail,
  testHostTarget,
} from '@opsdeck/plugin-cmdb-node/testUtils';
import {
  usesFacts,
  type FactsByHost,
  type HostFacts,
  type HostFactsSource,
} from './hostFacts';

jest.setTimeout(60_000);

const web01 = testHostTarget('web-01');
const web02 = testHostTarget('web-02');
/** A CMDB host record as `GET /api/cmdb/hosts/{name}` answers it. */
const detail = (name: string, extra: Partial<HostDetail> = {}) =>
  testHostDetail(name, extra);

describe('which templates need facts', () => {
  it('reads facts only when a template or check uses them', () => {
    expect(usesFacts('workers {{facts.cpuCount}};')).toBe(true);
    expect(usesFacts(undefined, '{{default facts.os "?"}}')).toBe(true);
    expect(usesFacts('listen {{vars.port}};', undefined)).toBe(false);
  });
});

describe('host facts in templates', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const bob: Caller = {
    ref: 'user:default/bob',
    credentials: mockCredentials.user('user:default/bob'),
  };
  const TEMPLATE =
    'worker_processes {{facts.cpuCount}}; # {{host.name}} {{facts.os}} {{facts.memTotalMiB}}\n';

  async function setup(source?: HostFactsSource) {
    const knex = await databases.init('SQLITE_3');
    await applyConfigMigrations(knex);
    const store = new ConfigStore(knex);
    // the release ends at once (no SSH here)
    const start = jest.fn(async (release: { id: number }) => {
      await store.finishRelease(release.id, 'done');
    });
    const service = new ConfigService({
      store,
      releaser: { start } as unknown as Releaser,
      ssh: {} as any,
      // no SSH here: the live file is an error in the preview
      sshTargets: () => async () => {
        throw new Error('no ssh in this test');
      },
      hosts: { resolveHosts: async () => [web01, web02] },
      facts: source,
    });
    const set = await service.createSet(
      {
        name: 'web',
        kind: 'nginx',
        owner: 'group:default/ops',
        selector: { tags: ['web'] },
        targetPath: '/etc/nginx/nginx.conf',
      },
      bob,
    );
    return { service, set, start };
  }

  const cmdb = () => ({
    factsOf: jest.fn(
      async (hosts: HostTarget[], _options: unknown): Promise<FactsByHost> =>
        new Map(
          hosts.map((h, i): [string, HostFacts] => [
            h.entityRef,
            factsOfDetail(detail(h.name, { cpuCount: i + 2 })),
          ]),
        ),
    ),
  });

  it("renders each host's CMDB facts in the preview, read as the caller", async () => {
    const source = cmdb();
    const { service, set } = await setup(source);
    const v = await service.saveVersion(
      set.id,
      { template: TEMPLATE, variables: {}, message: 'facts' },
      bob,
    );
    const preview = await service.preview(set.id, v.version, bob);
    expect(preview.map(p => [p.host, p.rendered, p.renderError])).toEqual([
      [
        web01.entityRef,
        'worker_processes 2; # web-01 Debian GNU/Linux 12 (bookworm) 8192\n',
        undefined,
      ],
      [
        web02.entityRef,
        'worker_processes 3; # web-02 Debian GNU/Linux 12 (bookworm) 8192\n',
        undefined,
      ],
    ]);
    expect(source.factsOf).toHaveBeenCalledWith([web01, web02], {
      credentials: bob.credentials,
    });
  });

  it('hands the facts to the release; a host without facts fails to render unless the template says what to use', async () => {
    const source: HostFactsSource = {
      factsOf: async () =>
        new Map([[web01.entityRef, factsOfDetail(detail('web-01'))]]),
    };
    const { service, set, start } = await setup(source);
    const v = await service.saveVersion(
      set.id,
      { template: TEMPLATE, variables: {}, message: 'facts' },
      bob,
    );
    await (
      await service.push(set.id, { version: v.version }, bob)
    ).done;
    const facts = (start.mock.calls[0] as unknown[])[4] as Map<string, any>;
    expect(facts.get(web01.entityRef)).toMatchObject({ cpuCount: 4 });

    const preview = await service.preview(set.id, v.version, bob);
    expect(preview[1].renderError).toMatch(/"cpuCount" not defined/);
    const fallback = await service.saveVersion(
      set.id,
      {
        template: 'worker_processes {{default facts.cpuCount "auto"}};\n',
        variables: {},
        message: 'fallback',
      },
      bob,
    );
    const [, p2] = await service.preview(set.id, fallback.version, bob);
    expect(p2.rendered).toBe('worker_processes auto;\n');
  });

  it('does not ask the CMDB when nothing uses facts, and refuses a push when the CMDB fails', async () => {
    const source = cmdb();
    const { service, set, start } = await setup(source);
    const plain = await service.saveVersion(
      set.id,
      { template: 'worker_processes 1;\n', variables: {}, message: 'plain' },
      bob,
    );
    await service.preview(set.id, plain.version, bob);
    await (
      await service.push(set.id, { version: plain.version }, bob)
    ).done;
    expect(source.factsOf).not.toHaveBeenCalled();

    source.factsOf.mockRejectedValue(new Error('cmdb down'));
    const v = await service.saveVersion(
      set.id,
      { template: TEMPLATE, variables: {}, message: 'facts' },
      bob,
    );
    await expect(
      service.push(set.id, { version: v.version }, bob),
    ).rejects.toThrow('cmdb down');
    // no release was created for the refused push
    expect(start).toHaveBeenCalledTimes(1);
    expect(await service.store.listReleases(set.id, 10)).toHaveLength(1);
  });
});
