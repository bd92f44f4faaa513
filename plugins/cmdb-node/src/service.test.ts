import {
  createBackendPlugin,
  type BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { hostsServiceRef, type HostsService } from './service';

describe('hostsServiceRef', () => {
  it('resolves hosts through its default factory over the catalog', async () => {
    let hosts: HostsService | undefined;
    await startTestBackend({
      features: [
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Resource',
              metadata: { name: 'web-01', namespace: 'default', tags: ['web'] },
              spec: { type: 'host', address: '10.0.0.1', owner: 'ops' },
            },
          ],
        }),
        createBackendPlugin({
          pluginId: 'consumer',
          register(env) {
            env.registerInit({
              deps: { hosts: hostsServiceRef },
              async init(deps) {
                hosts = deps.hosts;
              },
            });
          },
        }),
      ],
    });
    const credentials: BackstageCredentials = mockCredentials.user();
    expect(
      (await hosts!.resolveHosts({ tags: ['web'] }, { credentials })).map(
        h => h.entityRef,
      ),
    ).toEqual(['resource:default/web-01']);
    expect((await hosts!.getHost('web-01', { credentials }))?.owner).toBe(
      'group:default/ops',
    );
  });
});
