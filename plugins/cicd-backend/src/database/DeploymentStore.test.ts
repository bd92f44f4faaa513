import { TestDatabases } from '@backstage/backend-test-utils';
import type { Deployment } from '@opsdeck/plugin-cicd-common';
import { DeploymentStore } from './DeploymentStore';
import { IntakeStore } from './IntakeStore';
import { applyCicdMigrations, rollbackCicdMigrations } from './migrations';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const T0 = Date.UTC(2026, 11, 3, 9, 0);
const deployment = (n: number, entityRef = 'component:default/shop') =>
  ({
    entityRef,
    system: 'argocd',
    environment: n % 2 ? 'staging' : 'production',
    version: `1.0.${n}`,
    commit: `${n}`.padStart(7, 'a'),
    status: 'SUCCESS',
    url: '',
    timestamp: T0 + n * 60_000,
  } satisfies Deployment);

describe.each(databases.eachSupportedId())(
  'DeploymentStore (%s)',
  databaseId => {
    async function stores() {
      const knex = await databases.init(databaseId);
      await applyCicdMigrations(knex);
      return {
        knex,
        deployments: new DeploymentStore(knex),
        intake: new IntakeStore(knex),
      };
    }

    it('stores a delivery once, even from parallel posts, and lists the newest first per entity', async () => {
      const { deployments } = await stores();
      const stored = await Promise.all(
        Array.from({ length: 8 }, () =>
          deployments.add(deployment(1), 'delivery-one'),
        ),
      );
      expect(stored.filter(Boolean)).toHaveLength(1);
      expect(await deployments.add(deployment(2), 'delivery-two')).toBe(true);
      expect(
        await deployments.add(
          {
            ...deployment(3),
            version: undefined,
            commit: undefined,
            digest: `sha256:${'0'.repeat(64)}`,
            url: 'https://argocd.example.com/app',
          },
          'delivery-three',
        ),
      ).toBe(true);
      await deployments.add(
        deployment(4, 'component:default/other'),
        'delivery-four',
      );
      const list = await deployments.list('component:default/shop', 10);
      expect(list.map(d => d.timestamp - T0)).toEqual([
        3 * 60_000,
        2 * 60_000,
        60_000,
      ]);
      expect(list[0]).toEqual({
        entityRef: 'component:default/shop',
        system: 'argocd',
        environment: 'staging',
        digest: `sha256:${'0'.repeat(64)}`,
        status: 'SUCCESS',
        url: 'https://argocd.example.com/app',
        timestamp: T0 + 3 * 60_000,
      });
      expect(list[2]).toEqual(deployment(1));
      expect(await deployments.list('component:default/shop', 1)).toHaveLength(
        1,
      );
    });

    it("keeps a posted build's artifacts for the timeline", async () => {
      const { intake } = await stores();
      const build = {
        entityRef: 'component:default/shop',
        system: 'gitlab',
        job: 'web',
        number: 1,
        result: 'SUCCESS' as const,
        url: '',
        timestamp: T0,
        durationMillis: 1000,
        log: '',
        logTruncated: false,
      };
      await intake.add(
        {
          ...build,
          artifacts: [
            { name: 'shop/web:1', digest: `sha256:${'1'.repeat(64)}` },
            { name: 'web.tgz', url: 'https://example.com/web.tgz' },
          ],
        },
        'd-1',
      );
      await intake.add({ ...build, number: 2 }, 'd-2');
      const artifacts = await intake.artifacts('component:default/shop', 10);
      expect([...artifacts]).toEqual([
        [
          '@intake:gitlab/web#1',
          [
            { name: 'shop/web:1', digest: `sha256:${'1'.repeat(64)}` },
            { name: 'web.tgz', url: 'https://example.com/web.tgz' },
          ],
        ],
      ]);
    });

    it('migrates down and up again', async () => {
      const { knex } = await stores();
      await rollbackCicdMigrations(knex);
      expect(await knex.schema.hasTable('cicd_deployments')).toBe(false);
      await applyCicdMigrations(knex);
      expect(await knex.schema.hasTable('cicd_deployments')).toBe(true);
      expect(
        await knex.schema.hasColumn('cicd_intake_builds', 'artifacts'),
      ).toBe(true);
    });
  },
);
