import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  eventually,
  startSshdHosts,
  type SshdHosts,
} from '@opsdeck/plugin-remote-node/testUtils';
import request from 'supertest';
import {
  hostEntity,
  startJobsBackend,
  type Decider,
} from '../__testUtils__/jobsBackend';

jest.setTimeout(120_000);

// #16 "Viewers see ad-hoc scripts": the text of an ad-hoc command (and its
// output) may hold sensitive arguments. Only whoever ran it and holders of
// opsdeck.jobs.adhoc.read (ops, admin) see such a run; for everyone else it is
// not in the run lists and every route of the run answers 404.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

const SECRET = 'pw=s3cret-adhoc-token';

// The demo roles' jobs grants (permission-backend-module-opsdeck-policy).
const GRANTS: Record<string, string[]> = {
  'opsdeck.jobs.job.read': ['ops', 'dba', 'dev', 'viewer'],
  'opsdeck.jobs.adhoc.read': ['ops'],
  'opsdeck.jobs.job.manage': ['ops'],
  'opsdeck.jobs.run': ['ops'],
  'opsdeck.jobs.run.prod': [],
};
const ROLES: Record<string, string[]> = {
  alice: ['admin', 'ops'],
  bob: ['ops'],
  carol: ['dba'],
  dave: ['dev'],
  erin: ['viewer'],
  victor: [],
};
const roleDecider =
  (roles: Record<string, string[]>): Decider =>
  (user, permission) => {
    const mine = roles[user.replace('user:default/', '')] ?? [];
    if (mine.includes('admin')) return true;
    return (GRANTS[permission] ?? []).some(r => mine.includes(r));
  };

const header = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

let sshd: SshdHosts;
beforeAll(async () => {
  sshd = await startSshdHosts(1);
});
afterAll(async () => {
  await sshd?.stop();
});

describe.each(databases.eachSupportedId())('ad-hoc run access (%s)', id => {
  async function start(roles = ROLES) {
    const backend = await startJobsBackend({
      knex: await databases.init(id),
      sshd,
      entities: [hostEntity(sshd, 'lab-01', sshd.hosts[0].port)],
    });
    backend.state.decide = roleDecider(roles);
    return backend;
  }

  async function runAdhoc(server: any, user: string, script: string) {
    const started = await request(server)
      .post('/api/jobs/runs')
      .set('Authorization', header(user))
      .send({
        adhoc: { language: 'sh', script },
        selector: { names: ['lab-01'] },
      });
    expect(started.status).toBe(201);
    await eventually(async () => {
      const body = (
        await request(server)
          .get(`/api/jobs/runs/${started.body.id}`)
          .set('Authorization', header('alice'))
      ).body;
      return body.run.status !== 'running';
    });
    return started.body.id as string;
  }

  /** What each route about one run gives a user: statuses, and whether the secret shows. */
  async function whatSees(server: any, url: string, user: string, run: string) {
    const auth = header(user);
    const list = await request(server)
      .get('/api/jobs/runs')
      .set('Authorization', auth);
    const get = await request(server)
      .get(`/api/jobs/runs/${run}`)
      .set('Authorization', auth);
    const output = await request(server)
      .get(`/api/jobs/runs/${run}/hosts/lab-01`)
      .set('Authorization', auth);
    const groups = await request(server)
      .get(`/api/jobs/runs/${run}/groups`)
      .set('Authorization', auth);
    const events = await fetch(`${url}/api/jobs/runs/${run}/events`, {
      headers: { Authorization: auth },
    });
    const eventsText = await events.text();
    const byAdhoc = await request(server)
      .get('/api/jobs/runs?job=adhoc')
      .set('Authorization', auth);
    const texts = [list, get, output, groups, byAdhoc].map(r =>
      JSON.stringify(r.body),
    );
    return {
      list:
        list.status === 200
          ? list.body.items.some((r: any) => r.id === run)
          : list.status,
      get: get.status,
      output: output.status,
      groups: groups.status,
      events: events.status,
      secretShown: [...texts, eventsText].some(t => t.includes(SECRET)),
    };
  }

  it('shows an ad-hoc run, its script and output only to ops and admin (role matrix)', async () => {
    const { server, url, stop } = await start();
    try {
      // a saved job's run stays visible to every role with jobs.job.read
      await request(server)
        .post('/api/jobs/jobs')
        .set('Authorization', header('bob'))
        .send({ name: 'uptime', language: 'sh', script: 'uptime' })
        .expect(201);
      const saved = await request(server)
        .post('/api/jobs/runs')
        .set('Authorization', header('bob'))
        .send({ job: 'uptime', selector: { names: ['lab-01'] } });
      expect(saved.status).toBe(201);
      const run = await runAdhoc(server, 'bob', `echo ${SECRET}; false`);

      const seen: Record<string, unknown> = {};
      for (const user of Object.keys(ROLES)) {
        seen[user] = await whatSees(server, url, user, run);
      }
      const all = {
        list: true,
        get: 200,
        output: 200,
        groups: 200,
        events: 200,
        secretShown: true,
      };
      const none = {
        list: false,
        get: 404,
        output: 404,
        groups: 404,
        events: 404,
        secretShown: false,
      };
      const refused = {
        list: 403,
        get: 403,
        output: 403,
        groups: 403,
        events: 403,
        secretShown: false,
      };
      expect(seen).toEqual({
        alice: all,
        bob: all,
        carol: none,
        dave: none,
        erin: none,
        victor: refused,
      });
      // the saved job's run is still listed for the viewer
      const erinList = await request(server)
        .get('/api/jobs/runs')
        .set('Authorization', header('erin'));
      expect(erinList.body.items.map((r: any) => r.id)).toEqual([
        saved.body.id,
      ]);
    } finally {
      await stop();
    }
  });

  it('lets whoever ran an ad-hoc command see it without adhoc.read, and nobody else’s', async () => {
    // config gives dev the right to type commands, not to read others'
    const roles = { ...ROLES };
    const { server, url, stop, state } = await start(roles);
    const base = roleDecider(roles);
    state.decide = (user, permission, ref) =>
      (user === 'user:default/dave' &&
        ['opsdeck.jobs.job.manage', 'opsdeck.jobs.run'].includes(permission)) ||
      base(user, permission, ref);
    try {
      const daves = await runAdhoc(server, 'dave', 'echo mine; false');
      const bobs = await runAdhoc(server, 'bob', `echo ${SECRET}; false`);
      const list = await request(server)
        .get('/api/jobs/runs?limit=1')
        .set('Authorization', header('dave'));
      // paging counts only what dave may see: bob's newer run takes no place
      expect(list.body.items.map((r: any) => r.id)).toEqual([daves]);
      const own = await request(server)
        .get(`/api/jobs/runs/${daves}/hosts/lab-01`)
        .set('Authorization', header('dave'));
      expect(own.body.stdout).toBe('mine\n');
      expect(await whatSees(server, url, 'dave', bobs)).toEqual({
        list: false,
        get: 404,
        output: 404,
        groups: 404,
        events: 404,
        secretShown: false,
      });
      // nor can he re-run or cancel a run he may not see
      for (const action of ['rerun', 'cancel']) {
        const res = await request(server)
          .post(`/api/jobs/runs/${bobs}/${action}`)
          .set('Authorization', header('dave'))
          .send({});
        expect([action, res.status]).toEqual([action, 404]);
      }
      // bob (ops) sees dave's
      const bobSees = await request(server)
        .get(`/api/jobs/runs/${daves}`)
        .set('Authorization', header('bob'));
      expect(bobSees.body.run.adhoc.script).toBe('echo mine; false');
    } finally {
      await stop();
    }
  });
});
