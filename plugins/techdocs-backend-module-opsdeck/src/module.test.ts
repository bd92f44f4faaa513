import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import techdocsPlugin from '@backstage/plugin-techdocs-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  removeTempDirs,
  tempDir,
  TECHDOCS_CONFIG,
  writeTree,
} from './__testUtils__/build';
import { DocsBuildRunner } from './schedule/DocsBuildRunner';
import { techdocsModuleOpsdeck } from './module';

jest.setTimeout(180_000);

afterAll(removeTempDirs);

type Recorded = { eventId: string; status: string; meta: any; error?: Error };

/** An auditor that keeps completed events in memory. */
function recordingAuditor(events: Recorded[]) {
  return createServiceFactory({
    service: coreServices.auditor,
    deps: {},
    factory: () => ({
      async createEvent(options) {
        const meta = options.meta ?? {};
        return {
          async success(o?: { meta?: any }) {
            events.push({
              eventId: options.eventId,
              status: 'succeeded',
              meta: { ...meta, ...o?.meta },
            });
          },
          async fail(o: { error: Error; meta?: any }) {
            events.push({
              eventId: options.eventId,
              status: 'failed',
              meta: { ...meta, ...o.meta },
              error: o.error,
            });
          },
        };
      },
    }),
  });
}

function component(dir: string, name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      annotations: {
        'backstage.io/managed-by-location': `file:${dir}/catalog-info.yaml`,
        'backstage.io/techdocs-ref': 'dir:.',
      },
    },
    spec: {
      type: 'service',
      owner: 'group:default/ops',
      lifecycle: 'production',
    },
  };
}

describe('techdocs module opsdeck (real TechDocs backend, Debian mkdocs)', () => {
  it('builds every entity with docs on the schedule, serves them, and rebuilds only what changed', async () => {
    const site = await tempDir();
    await writeTree(site, {
      'catalog-info.yaml': 'x',
      'mkdocs.yml': 'site_name: Shop\nsite_description: The shop\n',
      'docs/index.md': '# Shop\n',
      'docs/runbooks/disk-full.md': '# Disk full\n\nDelete old logs.\n',
    });
    const publishDir = await tempDir();
    const events: Recorded[] = [];
    const undocumented: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'web-01', namespace: 'default', uid: 'r1' },
      spec: { type: 'host', owner: 'ops' },
    };
    const { server } = await startTestBackend({
      features: [
        techdocsPlugin,
        techdocsModuleOpsdeck,
        catalogServiceMock.factory({
          entities: [component(site, 'shop'), undocumented],
        }),
        recordingAuditor(events),
        mockServices.rootConfig.factory({
          data: {
            ...TECHDOCS_CONFIG,
            techdocs: {
              ...TECHDOCS_CONFIG.techdocs,
              publisher: {
                type: 'local',
                local: { publishDirectory: publishDir },
              },
            },
            // the test drives the runner itself
            opsdeck: { docs: { build: { enabled: false } } },
          },
        }),
      ],
    });

    const port = (server.address() as { port: number }).port;
    const runner = new DocsBuildRunner({
      catalog: catalogServiceMock({
        entities: [component(site, 'shop'), undocumented],
      }),
      auth: mockServices.auth(),
      discovery: {
        getBaseUrl: async p => `http://localhost:${port}/api/${p}`,
        getExternalBaseUrl: async p => `http://localhost:${port}/api/${p}`,
      },
      logger: mockServices.logger.mock(),
    });

    const first = await runner.buildAll();
    expect(first).toEqual({
      built: ['component:default/shop'],
      unchanged: [],
      failed: [],
    });

    const page = await request(server)
      .get(
        '/api/techdocs/static/docs/default/component/shop/runbooks/disk-full/index.html',
      )
      .set('Authorization', mockCredentials.user.header());
    expect(page.status).toBe(200);
    expect(page.text).toContain('Delete old logs.');
    const metadata = await request(server)
      .get('/api/techdocs/metadata/techdocs/default/component/shop')
      .set('Authorization', mockCredentials.user.header());
    expect(metadata.body).toMatchObject({
      site_name: 'Shop',
      site_description: 'The shop',
    });

    expect(events).toEqual([
      expect.objectContaining({
        eventId: 'docs-build',
        status: 'succeeded',
        meta: expect.objectContaining({
          entityRef: 'component:default/shop',
          owner: 'group:default/ops',
          new: true,
          pages: 2,
          siteName: 'Shop',
        }),
      }),
    ]);

    // TechDocs checks an entity at most once a minute per process
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    expect((await runner.buildAll()).unchanged).toEqual([
      'component:default/shop',
    ]);
    expect(events).toHaveLength(1);

    await writeTree(site, {
      'docs/runbooks/disk-full.md': '# Disk full\n\nRotate logs first.\n',
    });
    clock.mockReturnValue(now + 122_000);
    expect((await runner.buildAll()).built).toEqual(['component:default/shop']);
    clock.mockRestore();
    expect(events[1]).toMatchObject({
      status: 'succeeded',
      meta: { new: false },
    });
    const changed = await request(server)
      .get(
        '/api/techdocs/static/docs/default/component/shop/runbooks/disk-full/index.html',
      )
      .set('Authorization', mockCredentials.user.header());
    expect(changed.text).toContain('Rotate logs first.');
  });
});
