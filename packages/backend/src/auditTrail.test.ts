/**
 * The audit trail of every opsdeck plugin, as an investigator reads it: each
 * kind of change below is made through the real routers by a person, and its
 * audit event names that person as the actor and what the change was done to
 * as the target (an entity ref or `<kind>:<id>`). Kinds that need a live host
 * or database (runs, sessions, SQL changes) are covered in their plugins'
 * tests; a denial is covered here and in requestEdge.test.ts.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { startOpsdeckBackend } from './__testUtils__/opsdeckBackend';

jest.setTimeout(300_000);

const roles = {
  admin: ['user:default/alice'],
  ops: ['user:default/olga'],
};
const alice = mockCredentials.user.header('user:default/alice');
const olga = mockCredentials.user.header('user:default/olga');

describe('every audited change names the person and the target', () => {
  let server: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const backend = await startOpsdeckBackend({ roles });
    server = backend.url;
    stop = backend.stop;
  });

  afterAll(async () => {
    await stop?.();
  });

  /** The newest event of this kind (events are written in the background). */
  async function lastEvent(plugin: string, action: string) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const res = await request(server)
        .get('/api/audit/events')
        .query({ plugin, action, limit: 1 })
        .set('Authorization', alice);
      expect(res.status).toBe(200);
      if (res.body.items.length > 0) return res.body.items[0];
      await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`no ${plugin} ${action} event`);
  }

  async function expectEvent(
    plugin: string,
    action: string,
    expected: { actor: string; target: string | RegExp },
  ) {
    const event = await lastEvent(plugin, action);
    expect({ action, actor: event.actor, outcome: event.outcome }).toEqual({
      action,
      actor: expected.actor,
      outcome: 'success',
    });
    if (typeof expected.target === 'string') {
      expect(event.target).toBe(expected.target);
    } else {
      expect(event.target).toMatch(expected.target);
    }
    return event;
  }

  it('vault: credential create, update, secret replace, delete', async () => {
    const api = () => request(server);
    await api()
      .post('/api/vault/credentials')
      .set('Authorization', alice)
      .send({
        name: 'trail-db',
        type: 'password',
        username: 'app',
        owner: 'ops',
        allowedUses: ['db-read'],
        secret: 'trail-db-password-1',
      })
      .expect(201);
    await expectEvent('vault', 'vault-credential-create', {
      actor: 'user:default/alice',
      target: 'vault:credential/trail-db',
    });
    await api()
      .patch('/api/vault/credentials/trail-db')
      .set('Authorization', alice)
      .send({ description: 'the app database' })
      .expect(200);
    await expectEvent('vault', 'vault-credential-update', {
      actor: 'user:default/alice',
      target: 'vault:credential/trail-db',
    });
    await api()
      .put('/api/vault/credentials/trail-db/secret')
      .set('Authorization', alice)
      .send({ secret: 'trail-db-password-2' })
      .expect(res => expect(res.status).toBeLessThan(300));
    const replaced = await expectEvent(
      'vault',
      'vault-credential-secret-replace',
      { actor: 'user:default/alice', target: 'vault:credential/trail-db' },
    );
    expect(JSON.stringify(replaced)).not.toContain('trail-db-password');
    await api()
      .delete('/api/vault/credentials/trail-db')
      .set('Authorization', alice)
      .expect(res => expect(res.status).toBeLessThan(300));
    await expectEvent('vault', 'vault-credential-delete', {
      actor: 'user:default/alice',
      target: 'vault:credential/trail-db',
    });
  });

  it('bastion: rule create and delete, grant create and revoke', async () => {
    const rule = await request(server)
      .post('/api/bastion/rules')
      .set('Authorization', alice)
      .send({ name: 'no-reboot', pattern: '^reboot', action: 'reject' })
      .expect(201);
    await expectEvent('bastion', 'rule-create', {
      actor: 'user:default/alice',
      target: `bastion-rule:${rule.body.id}`,
    });
    await request(server)
      .delete(`/api/bastion/rules/${rule.body.id}`)
      .set('Authorization', alice)
      .expect(res => expect(res.status).toBeLessThan(300));
    await expectEvent('bastion', 'rule-delete', {
      actor: 'user:default/alice',
      target: `bastion-rule:${rule.body.id}`,
    });

    const grant = await request(server)
      .post('/api/bastion/grants')
      .set('Authorization', alice)
      .send({
        subject: 'user:default/olga',
        selector: { host: 'app-01' },
        loginUser: 'deploy',
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        reason: 'trail',
      })
      .expect(201);
    await expectEvent('bastion', 'grant-create', {
      actor: 'user:default/alice',
      target: 'resource:default/app-01',
    });
    await request(server)
      .delete(`/api/bastion/grants/${grant.body.id}`)
      .set('Authorization', alice)
      .expect(res => expect(res.status).toBeLessThan(300));
    await expectEvent('bastion', 'grant-revoke', {
      actor: 'user:default/alice',
      target: `bastion-grant:${grant.body.id}`,
    });
  });

  it('jobs: job create, update, delete; schedule create, update, delete', async () => {
    await request(server)
      .post('/api/jobs/jobs')
      .set('Authorization', olga)
      .send({ name: 'trail-job', language: 'sh', script: 'true' })
      .expect(201);
    await expectEvent('jobs', 'job-create', {
      actor: 'user:default/olga',
      target: /^job:/,
    });
    await request(server)
      .put('/api/jobs/jobs/trail-job')
      .set('Authorization', olga)
      .send({ language: 'sh', script: 'echo v2' })
      .expect(res => expect(res.status).toBeLessThan(300));
    await expectEvent('jobs', 'job-update', {
      actor: 'user:default/olga',
      target: /^job:/,
    });
    const schedule = await request(server)
      .post('/api/jobs/schedules')
      .set('Authorization', olga)
      .send({
        name: 'trail-nightly',
        job: 'trail-job',
        cron: '0 3 * * *',
        selector: { system: 'lab' },
      })
      .expect(201);
    await expectEvent('jobs', 'job-schedule-create', {
      actor: 'user:default/olga',
      target: /^job-schedule:/,
    });
    await request(server)
      .patch(`/api/jobs/schedules/${schedule.body.id}`)
      .set('Authorization', olga)
      .send({ enabled: false })
      .expect(res => expect(res.status).toBeLessThan(300));
    await expectEvent('jobs', 'job-schedule-update', {
      actor: 'user:default/olga',
      target: `job-schedule:${schedule.body.id}`,
    });
    await request(server)
      .delete(`/api/jobs/schedules/${schedule.body.id}`)
      .set('Authorization', olga)
      .expect(res => expect(res.status).toBeLessThan(300));
    await expectEvent('jobs', 'job-schedule-delete', {
      actor: 'user:default/olga',
      target: `job-schedule:${schedule.body.id}`,
    });
    await request(server)
      .delete('/api/jobs/jobs/trail-job')
      .set('Authorization', olga)
      .expect(res => expect(res.status).toBeLessThan(300));
    await expectEvent('jobs', 'job-delete', {
      actor: 'user:default/olga',
      target: /^job:/,
    });
  });

  it('a denial names the person and the route', async () => {
    const denied = await request(server)
      .delete('/api/vault/credentials/anything')
      .set('Authorization', olga);
    expect(denied.status).toBe(403);
    let items: any[] = [];
    for (let attempt = 0; attempt < 100 && items.length === 0; attempt++) {
      if (attempt) await new Promise(r => setTimeout(r, 50));
      const res = await request(server)
        .get('/api/audit/events')
        .query({ actor: 'user:default/olga', outcome: 'denied', limit: 1 })
        .set('Authorization', alice);
      items = res.body.items;
    }
    expect(items[0]).toMatchObject({
      actor: 'user:default/olga',
      outcome: 'denied',
      plugin: 'vault',
    });
    expect(items[0].target).not.toBe('');
  });
});
