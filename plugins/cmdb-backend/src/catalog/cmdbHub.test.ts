import type {
  EntityProvider,
  EntityProviderMutation,
  EntityProviderRefreshOptions,
} from '@backstage/plugin-catalog-node';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  alice,
  cmdbRouterTest,
  sshHostStub,
} from '../service/__testUtils__/routerTestKit';
import { catalogModuleOpsdeckResources } from '../module';
import request from 'supertest';

jest.setTimeout(60_000);

describe('the cmdb hub (one per backend)', () => {
  const { ctx, startBackend } = cmdbRouterTest();

  it('hands a host registered through the cmdb plugin to the entity provider as a delta, without a full refresh', async () => {
    const providers: EntityProvider[] = [];
    const { server, stop } = await startBackend({
      knex: ctx.knex,
      features: [catalogModuleOpsdeckResources],
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          {
            addProcessor() {},
            addEntityProvider(provider: EntityProvider) {
              providers.push(provider);
            },
          },
        ],
      ],
    });
    try {
      const [provider] = providers;
      expect(provider.getProviderName()).toBe('opsdeck-cmdb');
      const connection = {
        applyMutation: jest.fn(async (_mutation: EntityProviderMutation) => {}),
        refresh: jest.fn(async (_options: EntityProviderRefreshOptions) => {}),
      };
      await provider.connect(connection);
      // the full mutation at connect: the cmdb plugin's hosts, read through the hub
      await (provider as unknown as { idle(): Promise<void> }).idle();
      expect(connection.applyMutation).toHaveBeenCalledTimes(1);
      const full = connection.applyMutation.mock.calls[0][0] as any;
      expect(full.type).toBe('full');
      expect(
        full.entities.map((d: any) => d.entity.metadata.name).sort(),
      ).toEqual(['build-01', 'web-01']);

      const res = await request(server)
        .post('/api/cmdb/hosts')
        .set('Authorization', alice)
        .send({ hosts: [sshHostStub()] });
      expect(res.status).toBe(200);
      expect(res.body.results[0].status).toBe('created');
      await (provider as unknown as { idle(): Promise<void> }).idle();
      expect(connection.applyMutation).toHaveBeenCalledTimes(2);
      const delta = connection.applyMutation.mock.calls[1][0] as any;
      expect(delta.type).toBe('delta');
      expect(delta.removed).toEqual([]);
      expect(delta.added.map((d: any) => d.entity.metadata.name)).toEqual([
        'new-01',
      ]);
      expect(connection.refresh).not.toHaveBeenCalled();
    } finally {
      await stop();
    }
  });
});
