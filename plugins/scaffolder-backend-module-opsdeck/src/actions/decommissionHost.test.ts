import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createDecommissionHostAction, parseHostRef } from './decommissionHost';
import {
  actionContext,
  discoveryFor,
  onBehalfToken,
  startFakeCmdb,
} from '../__testUtils__/fakeCmdb';

describe('opsdeck:cmdb:decommission-host', () => {
  const auth = mockServices.auth();
  let server: Awaited<ReturnType<typeof startFakeCmdb>>;

  beforeEach(async () => {
    server = await startFakeCmdb(router => {
      router.delete('/hosts/:name', (req, res) => {
        if (req.params.name === 'db-1') {
          res.status(204).end();
        } else if (req.params.name === 'locked') {
          res.status(403).json({
            error: { name: 'NotAllowedError', message: 'not yours' },
            request: { method: 'DELETE', url: req.originalUrl },
            response: { statusCode: 403 },
          });
        } else {
          res.status(404).json({
            error: {
              name: 'NotFoundError',
              message: `no host ${req.params.name}`,
            },
            request: { method: 'DELETE', url: req.originalUrl },
            response: { statusCode: 404 },
          });
        }
      });
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const action = () =>
    createDecommissionHostAction({
      discovery: discoveryFor(server.baseUrl),
      auth,
    });

  it('deletes the host as the user, given its entity ref', async () => {
    const carol = mockCredentials.user('user:default/carol');
    const { ctx, outputs, logLines } = actionContext(
      { host: 'resource:default/db-1', reason: 'replaced by db-9' },
      { credentials: carol },
    );
    await action().handler(ctx);

    expect(server.requests).toEqual([
      expect.objectContaining({
        method: 'DELETE',
        path: '/api/cmdb/hosts/db-1',
        authorization: onBehalfToken(carol),
      }),
    ]);
    expect(outputs).toEqual({
      name: 'db-1',
      entityRef: 'resource:default/db-1',
    });
    expect(logLines('info')).toContain(
      'Decommissioning resource:default/db-1 (reason: replaced by db-9)',
    );
  });

  it('accepts a bare name', async () => {
    const { ctx } = actionContext({ host: 'db-1' });
    await action().handler(ctx);
    expect(server.requests.map(r => r.path)).toEqual(['/api/cmdb/hosts/db-1']);
  });

  it('fails with the CMDB error', async () => {
    const denied = actionContext({ host: 'resource:default/locked' });
    await expect(action().handler(denied.ctx)).rejects.toThrow(
      'DELETE /hosts/locked failed: permission denied (403): not yours',
    );
    const missing = actionContext({ host: 'ghost' });
    await expect(action().handler(missing.ctx)).rejects.toThrow(
      'DELETE /hosts/ghost failed: not found (404): no host ghost',
    );
    expect(missing.outputs).toEqual({});
  });

  it('refuses entities that are not hosts', async () => {
    const { ctx } = actionContext({ host: 'component:default/web' });
    await expect(action().handler(ctx)).rejects.toThrow(
      '"component:default/web" is a component, not a host',
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('parseHostRef', () => {
  it('normalises names and refs', () => {
    expect(parseHostRef('db-1')).toEqual({
      name: 'db-1',
      entityRef: 'resource:default/db-1',
    });
    expect(parseHostRef('Resource:ops/db-1')).toEqual({
      name: 'db-1',
      entityRef: 'resource:ops/db-1',
    });
    expect(() => parseHostRef('  ')).toThrow('No host given');
  });
});
