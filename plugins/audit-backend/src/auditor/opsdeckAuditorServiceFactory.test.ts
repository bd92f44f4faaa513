import {
  AuditorService,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { AuditEvent } from '@opsdeck/plugin-opsdeck-common';
import { NotAllowedError } from '@backstage/errors';
import { ON_BEHALF_OF_HEADER } from '@opsdeck/plugin-opsdeck-node';
import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { auditPlugin } from '../plugin';
import {
  AuditStore,
  auditStoreServiceRef,
  DatabaseAuditStore,
  NewAuditEvent,
} from '@opsdeck/plugin-audit-node';
import {
  AuditEventWriter,
  OpsdeckAuditorService,
  opsdeckAuditorServiceFactory,
  readMinSeverity,
} from './opsdeckAuditorServiceFactory';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** A plugin whose routes report auditor events, as a stock plugin would. */
function createWidgetsPlugin(onAuditor: (auditor: AuditorService) => void) {
  return createBackendPlugin({
    pluginId: 'widgets',
    register(env) {
      env.registerInit({
        deps: {
          auditor: coreServices.auditor,
          httpRouter: coreServices.httpRouter,
        },
        async init({ auditor, httpRouter }) {
          onAuditor(auditor);
          const router = Router();
          router.use(express.json());
          router.put('/widgets/:name', async (req, res) => {
            const event = await auditor.createEvent({
              eventId: 'widget-update',
              severityLevel: 'medium',
              request: req,
              meta: {
                entityRef: `component:default/${req.params.name}`,
                password: 'hunter2',
                apiToken: 'tok',
                settings: { clientSecret: 's', color: 'blue' },
                note: 'repaint',
              },
            });
            if (req.query.fail) {
              await event.fail({ error: new Error('widget exploded') });
              res.status(500).json({ ok: false });
              return;
            }
            await event.success({ meta: { changed: 2 } });
            res.json({ ok: true });
          });
          router.post('/widgets/:name/paint', async (req, res) => {
            // a plugin calling with its own token names the person in meta
            const event = await auditor.createEvent({
              eventId: 'widget-paint',
              severityLevel: 'medium',
              request: req,
              meta: {
                widgetRef: `component:default/${req.params.name}`,
                ...(req.query.actor ? { actor: String(req.query.actor) } : {}),
              },
            });
            if (req.query.deny) {
              await event.fail({ error: new NotAllowedError('not yours') });
              res.status(403).json({});
              return;
            }
            await event.success();
            res.json({ ok: true });
          });
          router.get('/widgets', async (req, res) => {
            const event = await auditor.createEvent({
              eventId: 'widget-fetch',
              request: req,
            });
            await event.success();
            res.json([]);
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

describe('opsdeckAuditorServiceFactory (backend)', () => {
  async function start(config: Record<string, unknown> = {}) {
    let widgetsAuditor: AuditorService | undefined;
    const { server } = await startTestBackend({
      features: [
        opsdeckAuditorServiceFactory,
        auditPlugin,
        createWidgetsPlugin(a => {
          widgetsAuditor = a;
        }),
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
            },
            ...config,
          },
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    const flush = () => (widgetsAuditor as OpsdeckAuditorService).flush();
    const events = async (): Promise<AuditEvent[]> => {
      const res = await request(server)
        .get('/api/audit/events')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/admin'),
        );
      expect(res.status).toBe(200);
      return res.body.items;
    };
    return { server, flush, events };
  }

  it('persists a succeeded event with actor, action, plugin, target and request details', async () => {
    const { server, flush, events } = await start();
    expect(await events()).toEqual([]);

    const res = await request(server)
      .put('/api/widgets/widgets/api')
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .set('x-request-id', 'req-42')
      .send({});
    expect(res.status).toBe(200);
    await flush();

    const [row, ...rest] = await events();
    expect(rest).toEqual([]);
    expect(row).toEqual({
      id: expect.any(Number),
      time: expect.any(String),
      plugin: 'widgets',
      action: 'widget-update',
      severity: 'medium',
      status: 'succeeded',
      outcome: 'success',
      actor: 'user:default/alice',
      target: 'component:default/api',
      requestId: 'req-42',
      ip: expect.any(String),
      meta: {
        entityRef: 'component:default/api',
        settings: { color: 'blue' },
        note: 'repaint',
        changed: 2,
      },
    });
    expect(Date.now() - Date.parse(row.time)).toBeLessThan(60_000);
  });

  it('hands the auditor and the audit plugin one audit store, opened once', async () => {
    // the store service is created once per backend and both sides read it
    const opened = jest.fn();
    const stores = jest.fn();
    const sharedStore = createServiceFactory({
      service: auditStoreServiceRef,
      deps: {},
      async factory() {
        opened();
        const knex = await databases.init('SQLITE_3');
        const store = DatabaseAuditStore.create({
          database: mockServices.database({ knex }),
        });
        return {
          store: () => {
            stores();
            return store;
          },
        };
      },
    });
    let widgetsAuditor: AuditorService | undefined;
    const { server } = await startTestBackend({
      features: [
        opsdeckAuditorServiceFactory,
        auditPlugin,
        sharedStore,
        createWidgetsPlugin(a => {
          widgetsAuditor = a;
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    await request(server)
      .put('/api/widgets/widgets/shared')
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .send({});
    await (widgetsAuditor as OpsdeckAuditorService).flush();
    const res = await request(server)
      .get('/api/audit/events')
      .set('Authorization', mockCredentials.user.header('user:default/admin'));
    expect(res.body.items.map((e: AuditEvent) => e.target)).toEqual([
      'component:default/shared',
    ]);
    expect(opened).toHaveBeenCalledTimes(1);
    // the auditor's root context and the audit plugin
    expect(stores).toHaveBeenCalledTimes(2);
  });

  it('names the person a plugin acts for, with the plugin as via', async () => {
    const { server, flush, events } = await start();
    const scaffolder = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('plugin:scaffolder'),
      targetPluginId: 'widgets',
    });
    // on-behalf-of header (a template step creating something for dave)
    await request(server)
      .post('/api/widgets/widgets/a/paint')
      .set('Authorization', scaffolder)
      .set(ON_BEHALF_OF_HEADER, 'user:default/dave');
    // meta.actor (a WebSocket session, a schedule)
    await request(server)
      .post('/api/widgets/widgets/b/paint?actor=user:default/erin')
      .set('Authorization', scaffolder);
    // a user cannot pass for someone else, and a refusal is a denial
    await request(server)
      .post('/api/widgets/widgets/c/paint?actor=user:default/dave&deny=1')
      .set('Authorization', mockCredentials.user.header('user:default/mallory'))
      .set(ON_BEHALF_OF_HEADER, 'user:default/dave');
    await flush();

    const rows = (await events()).reverse();
    expect(
      rows.map(r => [r.target, r.actor, r.via ?? [], r.outcome, r.meta]),
    ).toEqual([
      [
        'component:default/a',
        'user:default/dave',
        ['plugin:scaffolder'],
        'success',
        { widgetRef: 'component:default/a' },
      ],
      [
        'component:default/b',
        'user:default/erin',
        ['plugin:scaffolder'],
        'success',
        { widgetRef: 'component:default/b' },
      ],
      [
        'component:default/c',
        'user:default/mallory',
        [],
        'denied',
        { widgetRef: 'component:default/c', actor: 'user:default/dave' },
      ],
    ]);
  });

  it('stores the error of a failed event, with a generated request id', async () => {
    const { server, flush, events } = await start();
    await request(server)
      .put('/api/widgets/widgets/db?fail=1')
      .set('Authorization', mockCredentials.service.header())
      .send({});
    await flush();

    const [row] = await events();
    expect(row).toMatchObject({
      action: 'widget-update',
      status: 'failed',
      outcome: 'failed',
      error: 'widget exploded',
      actor: mockCredentials.service().principal.subject,
      target: 'component:default/db',
    });
    expect(row.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(row.meta)).not.toMatch(/hunter2|tok|"s"/);
  });

  it('does not persist reads below opsdeck.audit.minSeverity (default medium)', async () => {
    const { server, flush, events } = await start();
    const alice = mockCredentials.user.header('user:default/alice');
    await request(server)
      .get('/api/widgets/widgets')
      .set('Authorization', alice);
    await request(server)
      .put('/api/widgets/widgets/x')
      .set('Authorization', alice)
      .send({});
    await flush();
    expect((await events()).map(e => e.action)).toEqual(['widget-update']);
  });

  it('persists low severity events when configured', async () => {
    const { server, flush, events } = await start({
      opsdeck: { audit: { minSeverity: 'low' } },
    });
    await request(server)
      .get('/api/widgets/widgets')
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
    await flush();
    expect(await events()).toEqual([
      expect.objectContaining({
        action: 'widget-fetch',
        severity: 'low',
        target: '',
        actor: 'user:default/alice',
      }),
    ]);
  });
});

describe('OpsdeckAuditorService', () => {
  function setup(store: AuditStore, minSeverity: 'low' | 'medium' = 'medium') {
    const logger = mockServices.logger.mock();
    logger.child.mockReturnValue(logger);
    const writer = new AuditEventWriter(
      Promise.resolve(store),
      logger,
      minSeverity,
    );
    const auditor = new OpsdeckAuditorService({
      logger,
      auth: mockServices.auth(),
      httpAuth: mockServices.httpAuth(),
      plugin: { getId: () => 'catalog' },
      writer,
      severityLogLevels: {
        low: 'debug',
        medium: 'info',
        high: 'info',
        critical: 'info',
      },
    });
    return { auditor, logger };
  }

  it('logs every event like the default auditor', async () => {
    const store = { insert: jest.fn(async () => 1) } as unknown as AuditStore;
    const { auditor, logger } = setup(store);
    const event = await auditor.createEvent({
      eventId: 'entity-mutate',
      severityLevel: 'medium',
      meta: { entityRef: 'component:default/a' },
    });
    await event.success();
    const fetch = await auditor.createEvent({ eventId: 'entity-fetch' });
    await fetch.fail({ error: new Error('nope') });
    await auditor.flush();

    expect(logger.child).toHaveBeenCalledWith({ isAuditEvent: true });
    expect(logger.info).toHaveBeenCalledWith(
      'catalog.entity-mutate',
      expect.objectContaining({
        plugin: 'catalog',
        eventId: 'entity-mutate',
        severityLevel: 'medium',
        status: 'initiated',
      }),
    );
    expect(logger.info).toHaveBeenCalledWith(
      'catalog.entity-mutate',
      expect.objectContaining({ status: 'succeeded' }),
    );
    // low severity goes to debug; failures log the error
    expect(logger.debug).toHaveBeenCalledWith(
      'catalog.entity-fetch',
      expect.objectContaining({ status: 'initiated' }),
    );
    expect(logger.debug).toHaveBeenCalledWith(
      'catalog.entity-fetch',
      new Error('nope'),
    );
    // only the completed medium event is persisted, as the service's own actor
    expect(store.insert).toHaveBeenCalledTimes(1);
    expect(store.insert).toHaveBeenCalledWith(
      expect.objectContaining<Partial<NewAuditEvent>>({
        plugin: 'catalog',
        action: 'entity-mutate',
        status: 'succeeded',
        target: 'component:default/a',
        actor: 'plugin:test',
      }),
    );
  });

  it('does not wait for the database, and logs write errors', async () => {
    let release: () => void = () => {};
    const slow = new Promise<number>(resolve => {
      release = () => resolve(1);
    });
    const store = {
      insert: jest
        .fn()
        .mockReturnValueOnce(slow)
        .mockRejectedValueOnce(new Error('db down')),
    } as unknown as AuditStore;
    const { auditor, logger } = setup(store);

    const first = await auditor.createEvent({
      eventId: 'a',
      severityLevel: 'high',
    });
    // resolves although the insert has not finished
    await expect(first.success()).resolves.toBeUndefined();
    const second = await auditor.createEvent({
      eventId: 'b',
      severityLevel: 'high',
    });
    await expect(second.success()).resolves.toBeUndefined();

    let flushed = false;
    const flushing = auditor.flush().then(() => {
      flushed = true;
    });
    await new Promise(r => setTimeout(r, 20));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(flushed).toBe(true);
    expect(logger.error).toHaveBeenCalledWith(
      'Failed to persist audit event catalog.b',
      new Error('db down'),
    );
  });
});

describe('readMinSeverity', () => {
  it('defaults to medium and rejects unknown values', () => {
    expect(readMinSeverity(mockServices.rootConfig())).toBe('medium');
    expect(
      readMinSeverity(
        mockServices.rootConfig({
          data: { opsdeck: { audit: { minSeverity: 'high' } } },
        }),
      ),
    ).toBe('high');
    expect(() =>
      readMinSeverity(
        mockServices.rootConfig({
          data: { opsdeck: { audit: { minSeverity: 'loud' } } },
        }),
      ),
    ).toThrow(/minSeverity/);
  });
});
