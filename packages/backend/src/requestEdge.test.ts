/**
 * The request edge across every opsdeck plugin, wired as in production: the
 * generated routers with their access rules, the opsdeck permission policy's
 * roles, the opsdeck auditor writing the audit log.
 *
 * Every request below is invalid (an unknown query parameter, a body the
 * spec refuses): an admin gets 400 from validation, which proves the request
 * reaches it; a caller without the permission gets 403 whatever they send,
 * and every 403 is on the audit log as a denial naming them and the path.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  OPSDECK_PLUGINS as PLUGINS,
  startOpsdeckBackend,
} from './__testUtils__/opsdeckBackend';

jest.setTimeout(300_000);

/** Operations anyone may call (they are how a caller gets credentials). */
const PUBLIC = new Set(['local-auth POST /login', 'local-auth POST /logout']);
/** Operations any signed-in user may call; the router shows them their own records only. */
const OWN_RECORDS = new Set([
  'bastion GET /sessions',
  'bastion GET /sessions/{id}',
  'bastion GET /sessions/{id}/recording',
  'bastion GET /commands',
  'bastion GET /sessions/{id}/execs',
  'local-auth GET /me/session',
  // the hosts the catalog's read decision lets the caller see (none for
  // victor: hosts carry connection fields, which need opsdeck.cmdb.host.read)
  'cmdb POST /hosts/resolve',
]);
/** The workflow routes of templates: services only, never a user. */
const SERVICE_ONLY = new Set([
  'tickets POST /workflow/tickets',
  'tickets GET /workflow/tickets/{id}',
  'tickets POST /workflow/tickets/{id}/state',
  'tickets POST /workflow/tickets/{id}/steps',
  'tickets POST /workflow/tickets/{id}/steps/done',
  // change approvals: opened and claimed by config and kubernetes, never by a
  // person; their status read by the deploy-image step waiting for a decision
  'tickets POST /workflow/changes',
  'tickets POST /workflow/changes/{id}/claim',
  'tickets POST /workflow/changes/{id}/status',
  // local-auth's service API for other plugins (session and password checks)
  'local-auth POST /internal/sessions/confirm',
  'local-auth POST /internal/sessions/lookup',
  'local-auth POST /internal/verify-password',
]);
/** POSTs that change nothing: they need the read permission, as a GET would. */
const READ_LIKE = new Set([
  'cmdb POST /hosts/resolve',
  'jobs POST /hosts/preview',
  'sql POST /instances/check',
  'sql POST /review',
  'sql POST /slow-queries/refresh',
  'sql POST /query',
  'sql POST /query/export',
  'tickets POST /tickets/{id}/account-check',
]);

const roles = {
  admin: ['user:default/alice'],
  viewer: ['user:default/erin'],
  // victor has no role
};

type Operation = { plugin: string; method: string; path: string };

describe('the request edge of every opsdeck route', () => {
  let server: string;
  let stop: () => Promise<void>;
  let operations: Operation[];
  const alice = mockCredentials.user.header('user:default/alice');

  beforeAll(async () => {
    const backend = await startOpsdeckBackend({ roles });
    server = backend.url;
    stop = backend.stop;

    // every operation of every plugin, from the spec each router serves
    operations = [];
    for (const plugin of PLUGINS) {
      const res = await request(server)
        .get(`/api/${plugin}/openapi.json`)
        .set('Authorization', alice);
      if (res.status !== 200) {
        throw new Error(`GET /api/${plugin}/openapi.json: ${res.status}`);
      }
      for (const [template, item] of Object.entries<any>(res.body.paths)) {
        const path = template.replace(new RegExp(`^/api/${plugin}`), '');
        for (const method of Object.keys(item)) {
          if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
            operations.push({ plugin, method: method.toUpperCase(), path });
          }
        }
      }
    }
  });

  afterAll(async () => {
    await stop?.();
  });

  const key = (o: Operation) => `${o.plugin} ${o.method} ${o.path}`;
  const urlOf = (o: Operation) =>
    `/api/${o.plugin}${o.path.replace(/\{[^}]+\}/g, '1')}`;

  /** An invalid request: an unknown query parameter, and a body no spec accepts. */
  async function call(o: Operation, authorization: string) {
    let r = (request(server) as any)
      [o.method.toLowerCase()](`${urlOf(o)}?opsdeckEdgeProbe=1`)
      .set('Authorization', authorization);
    if (o.method !== 'GET') {
      r = r
        .set('Content-Type', 'application/json')
        .send('{"opsdeckEdgeProbe": [1, {"x": null}]');
    }
    const res = await r;
    return res.status as number;
  }

  /** Denials on the audit log for this user, oldest first. */
  async function denialsOf(user: string, expected: number) {
    let items: any[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      items = [];
      let before: number | undefined;
      for (;;) {
        const page = await request(server)
          .get('/api/audit/events')
          .query({
            actor: user,
            outcome: 'denied',
            limit: 200,
            ...(before ? { before } : {}),
          })
          .set('Authorization', alice);
        items.push(...page.body.items);
        if (page.body.nextCursor === undefined) break;
        before = page.body.nextCursor;
      }
      if (items.length >= expected) break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return items.reverse();
  }

  it('covers every plugin and more than a handful of operations', () => {
    expect(new Set(operations.map(o => o.plugin))).toEqual(new Set(PLUGINS));
    expect(operations.length).toBeGreaterThan(90);
    for (const listed of [
      ...PUBLIC,
      ...OWN_RECORDS,
      ...SERVICE_ONLY,
      ...READ_LIKE,
    ]) {
      expect(operations.map(key)).toContain(listed);
    }
  });

  it('lets an admin through to validation on every operation (the requests are invalid)', async () => {
    const statuses: Record<string, number> = {};
    for (const o of operations) {
      statuses[key(o)] = await call(o, alice);
    }
    expect(statuses).toEqual(
      Object.fromEntries(
        operations.map(o => [key(o), SERVICE_ONLY.has(key(o)) ? 403 : 400]),
      ),
    );
  });

  it('answers 403, not 400, to a viewer on every mutating operation, each 403 audited', async () => {
    const erin = mockCredentials.user.header('user:default/erin');
    const mutating = operations.filter(
      o => o.method !== 'GET' && !READ_LIKE.has(key(o)) && !PUBLIC.has(key(o)),
    );
    expect(mutating.length).toBeGreaterThan(40);
    const statuses: Record<string, number> = {};
    for (const o of mutating) statuses[key(o)] = await call(o, erin);
    expect(statuses).toEqual(
      Object.fromEntries(mutating.map(o => [key(o), 403])),
    );

    // a read-like POST answers the viewer as it answers a reader who may
    const readLike: Record<string, [number, number]> = {};
    for (const o of operations.filter(x => READ_LIKE.has(key(x)))) {
      readLike[key(o)] = [await call(o, erin), await call(o, alice)];
    }
    expect(readLike).toEqual({
      'cmdb POST /hosts/resolve': [400, 400],
      'jobs POST /hosts/preview': [400, 400],
      'sql POST /instances/check': [400, 400],
      // review touches the live database: viewers may not (#13)
      'sql POST /review': [403, 400],
      // the viewer role has no slow-query or console permission
      'sql POST /slow-queries/refresh': [403, 400],
      'sql POST /query': [403, 400],
      'sql POST /query/export': [403, 400],
      'tickets POST /tickets/{id}/account-check': [400, 400],
    });

    const denials = await denialsOf('user:default/erin', mutating.length + 4);
    expect(denials.map(e => [e.target, e.outcome, e.actor, e.action])).toEqual(
      [
        ...mutating,
        ...operations.filter(o =>
          [
            'sql POST /review',
            'sql POST /slow-queries/refresh',
            'sql POST /query',
            'sql POST /query/export',
          ].includes(key(o)),
        ),
      ].map(o => [urlOf(o), 'denied', 'user:default/erin', 'access-denied']),
    );
  });

  it('answers 403 to a user without any role on every operation but sign-in and their own records', async () => {
    const victor = mockCredentials.user.header('user:default/victor');
    const guarded = operations.filter(
      o => !PUBLIC.has(key(o)) && !OWN_RECORDS.has(key(o)),
    );
    const statuses: Record<string, number> = {};
    for (const o of guarded) statuses[key(o)] = await call(o, victor);
    expect(statuses).toEqual(
      Object.fromEntries(guarded.map(o => [key(o), 403])),
    );
    const denials = await denialsOf('user:default/victor', guarded.length);
    expect(denials.map(e => e.target)).toEqual(guarded.map(urlOf));
    expect(new Set(denials.map(e => e.plugin))).toEqual(new Set(PLUGINS));
  });
});
