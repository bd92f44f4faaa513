import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createRegisterHostsAction } from './registerHosts';
import {
  actionContext,
  discoveryFor,
  onBehalfToken,
  startFakeCmdb,
} from '../__testUtils__/fakeCmdb';

type Registration = { name: string; address: string };

describe('opsdeck:cmdb:register-hosts', () => {
  const auth = mockServices.auth();
  let server: Awaited<ReturnType<typeof startFakeCmdb>>;

  afterEach(async () => {
    await server?.close();
  });

  /** A CMDB that accepts every host except those listed in `reject`. */
  async function cmdb(reject: Record<string, string> = {}) {
    server = await startFakeCmdb(router => {
      router.post('/hosts', (req, res) => {
        const hosts: Registration[] = req.body.hosts;
        res.json({
          results: hosts.map(h =>
            reject[h.name]
              ? { name: h.name, ok: false, error: reject[h.name] }
              : { name: h.name, ok: true },
          ),
        });
      });
    });
    return createRegisterHostsAction({
      discovery: discoveryFor(server.baseUrl),
      auth,
    });
  }

  it('registers the hosts as the user and outputs their refs', async () => {
    const action = await cmdb();
    const alice = mockCredentials.user('user:default/alice');
    const { ctx, outputs, logLines } = actionContext(
      {
        hosts: 'db-1 192.0.2.5\n# a comment\n\ndb-2 192.0.2.6:2222\n192.0.2.7',
        environment: 'prod',
        owner: 'group:default/dba',
        system: 'payments',
        credential: 'ssh-prod',
        loginUser: 'ops',
        port: 22,
      },
      { credentials: alice },
    );

    await action.handler(ctx);

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/cmdb/hosts');
    // the CMDB sees the user, not the scaffolder
    expect(request.authorization).toBe(onBehalfToken(alice));
    expect(request.body).toEqual({
      checkReachability: true,
      hosts: [
        {
          name: 'db-1',
          address: '192.0.2.5',
          port: 22,
          loginUser: 'ops',
          credential: 'ssh-prod',
          environment: 'prod',
          owner: 'group:default/dba',
          system: 'payments',
        },
        {
          name: 'db-2',
          address: '192.0.2.6',
          port: 2222,
          loginUser: 'ops',
          credential: 'ssh-prod',
          environment: 'prod',
          owner: 'group:default/dba',
          system: 'payments',
        },
        {
          name: '192.0.2.7',
          address: '192.0.2.7',
          port: 22,
          loginUser: 'ops',
          credential: 'ssh-prod',
          environment: 'prod',
          owner: 'group:default/dba',
          system: 'payments',
        },
      ],
    });

    expect(outputs.names).toEqual(['db-1', 'db-2', '192.0.2.7']);
    expect(outputs.entityRefs).toEqual([
      'resource:default/db-1',
      'resource:default/db-2',
      'resource:default/192.0.2.7',
    ]);
    expect(outputs.links).toEqual([
      { title: 'db-1', entityRef: 'resource:default/db-1' },
      { title: 'db-2', entityRef: 'resource:default/db-2' },
      { title: '192.0.2.7', entityRef: 'resource:default/192.0.2.7' },
    ]);
    const perHost = logLines('info').filter(l => l.includes('registered as'));
    expect(perHost).toEqual([
      'db-1 (192.0.2.5:22): registered as resource:default/db-1',
      'db-2 (192.0.2.6:2222): registered as resource:default/db-2',
      '192.0.2.7 (192.0.2.7:22): registered as resource:default/192.0.2.7',
    ]);
  });

  it('accepts a list of { name, address } and can skip the reachability check', async () => {
    const action = await cmdb();
    const { ctx } = actionContext({
      hosts: [
        { name: 'web-1', address: 'web-1.example.com', tags: ['nginx'] },
        { address: '[fd00::9]:2200' },
      ],
      environment: 'staging',
      owner: 'group:default/web',
      tags: ['edge'],
      checkReachability: false,
    });
    await action.handler(ctx);
    expect(server.requests[0].body).toEqual({
      checkReachability: false,
      hosts: [
        {
          name: 'web-1',
          address: 'web-1.example.com',
          environment: 'staging',
          owner: 'group:default/web',
          tags: ['edge', 'nginx'],
        },
        {
          name: 'fd00-9',
          address: 'fd00::9',
          port: 2200,
          environment: 'staging',
          owner: 'group:default/web',
          tags: ['edge'],
        },
      ],
    });
  });

  it('fails the step when any host failed, listing why', async () => {
    const action = await cmdb({
      'db-2': 'host unreachable: connect ECONNREFUSED 192.0.2.6:22',
    });
    const { ctx, outputs, logLines } = actionContext({
      hosts: 'db-1 192.0.2.5\ndb-2 192.0.2.6',
      environment: 'prod',
      owner: 'group:default/dba',
    });

    await expect(action.handler(ctx)).rejects.toThrow(
      '1 of 2 host(s) could not be registered:\n  - db-2: host unreachable: connect ECONNREFUSED 192.0.2.6:22',
    );
    expect(logLines('error')).toEqual([
      'db-2 (192.0.2.6:22): FAILED: host unreachable: connect ECONNREFUSED 192.0.2.6:22',
    ]);
    // what did get registered is still reported
    expect(outputs.names).toEqual(['db-1']);
    expect(outputs.entityRefs).toEqual(['resource:default/db-1']);
  });

  it('understands the cmdb backend result shape (status/message/entityRef)', async () => {
    server = await startFakeCmdb(router => {
      router.post('/hosts', (_req, res) => {
        res.json({
          results: [
            {
              name: 'db-1',
              status: 'created',
              entityRef: 'resource:default/db-1',
            },
            {
              name: 'db-2',
              status: 'unreachable',
              message: 'Not added: SSH connection failed: timeout',
            },
            {
              name: 'db-3',
              status: 'exists',
              entityRef: 'resource:infra/db-3',
              message:
                'A host with this name is already defined in the catalog',
            },
          ],
        });
      });
    });
    const action = createRegisterHostsAction({
      discovery: discoveryFor(server.baseUrl),
      auth,
    });
    const { ctx, outputs } = actionContext({
      hosts: 'db-1 192.0.2.5\ndb-2 192.0.2.6\ndb-3 192.0.2.7',
      environment: 'prod',
      owner: 'group:default/dba',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      '2 of 3 host(s) could not be registered:\n' +
        '  - db-2: unreachable: Not added: SSH connection failed: timeout\n' +
        '  - db-3: exists: A host with this name is already defined in the catalog',
    );
    expect(outputs.entityRefs).toEqual(['resource:default/db-1']);
  });

  it('reports a permission error from the CMDB', async () => {
    server = await startFakeCmdb(router => {
      router.post('/hosts', (_req, res) => {
        res.status(403).json({
          error: {
            name: 'NotAllowedError',
            message: 'user:default/bob may not create hosts',
          },
          request: { method: 'POST', url: '/api/cmdb/hosts' },
          response: { statusCode: 403 },
        });
      });
    });
    const action = createRegisterHostsAction({
      discovery: discoveryFor(server.baseUrl),
      auth,
    });
    const { ctx, outputs } = actionContext(
      {
        hosts: 'db-1 192.0.2.5',
        environment: 'prod',
        owner: 'group:default/x',
      },
      { credentials: mockCredentials.user('user:default/bob') },
    );
    await expect(action.handler(ctx)).rejects.toThrow(
      'POST /hosts failed: permission denied (403): user:default/bob may not create hosts',
    );
    expect(outputs).toEqual({});
  });

  it('rejects bad input before calling the CMDB', async () => {
    const action = await cmdb();
    const bad = async (hosts: unknown) => {
      const { ctx } = actionContext({
        hosts,
        environment: 'prod',
        owner: 'group:default/x',
      });
      return action.handler(ctx);
    };
    await expect(bad('db-1 192.0.2.5\ndb-1 192.0.2.6')).rejects.toThrow(
      'Host "db-1" is listed twice',
    );
    await expect(bad('a b c')).rejects.toThrow('Line 1: expected');
    await expect(bad('bad/name 192.0.2.1')).rejects.toThrow(
      '"bad/name" is not a valid host name',
    );
    await expect(bad('\n# nothing\n')).rejects.toThrow('No hosts given');
    expect(server.requests).toHaveLength(0);
  });

  it('does not call the CMDB on a dry run', async () => {
    const action = await cmdb();
    const { ctx, outputs } = actionContext(
      {
        hosts: 'db-1 192.0.2.5',
        environment: 'prod',
        owner: 'group:default/x',
      },
      { isDryRun: true },
    );
    await action.handler(ctx);
    expect(server.requests).toHaveLength(0);
    expect(outputs.entityRefs).toEqual(['resource:default/db-1']);
  });
});
