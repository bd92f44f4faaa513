import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogHostsService } from '@opsdeck/plugin-cmdb-node/testUtils';
import { distributionHosts } from './targetHosts';

const host = (name: string, environment: string, tags: string[]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', tags },
  spec: { type: 'host', address: '10.0.0.1', owner: 'ops', environment },
});

const hosts = catalogHostsService(
  catalogServiceMock({
    entities: [
      host('web-01', 'prod', ['web', 'nginx']),
      host('web-02', 'staging', ['web']),
      host('db-01', 'prod', ['db']),
    ],
  }),
);
const credentials = mockCredentials.user('user:default/alice');
const names = async (request: Parameters<typeof distributionHosts>[2]) =>
  (await distributionHosts(hosts, credentials, request)).map(h => h.host);

describe('distributionHosts', () => {
  it('takes the shared selector: environment and all-of tags (and the single tag)', async () => {
    expect(await names({ environment: 'prod' })).toEqual([
      'resource:default/db-01',
      'resource:default/web-01',
    ]);
    expect(await names({ tags: ['web', 'NGINX'] })).toEqual([
      'resource:default/web-01',
    ]);
    expect(await names({ tag: 'web', environment: 'staging' })).toEqual([
      'resource:default/web-02',
    ]);
  });

  it('refuses an empty selection, unknown names and a selection of nothing', async () => {
    await expect(names({ tags: [] })).rejects.toThrow(/Select hosts/);
    await expect(names({ hosts: ['nope'] })).rejects.toThrow(
      /Unknown hosts.*nope/,
    );
    await expect(names({ environment: 'dev' })).rejects.toThrow(
      /matches no host/,
    );
  });
});
