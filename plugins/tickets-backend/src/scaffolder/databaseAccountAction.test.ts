import { randomBytes } from 'node:crypto';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import request from 'supertest';
import {
  actionContext,
  as,
  eventually,
  startTicketsBackend,
} from '../__testUtils__/ticketsBackend';
import { accountName } from '@opsdeck/plugin-sql-node';
import { createApprovalAction } from './approvalAction';
import { createDatabaseAccountAction } from './databaseAccountAction';
import { VaultWriter } from './VaultWriter';

jest.setTimeout(60_000);

// The real PostgreSQL of the tests (scripts/services/postgres.sh).
const PG = {
  host: '127.0.0.1',
  port: 55432,
  user: 'opsdeck',
  password: 'opsdeck-test-pw',
};
const dbName = `tickets_acct_${randomBytes(4).toString('hex')}`;

/** The real MariaDB of the tests (scripts/services/mariadb.sh). */
function mariadb() {
  const url = process.env.OPSDECK_TEST_MARIADB_URL;
  if (!url) {
    throw new Error(
      'OPSDECK_TEST_MARIADB_URL is not set: start scripts/services/mariadb.sh and export its URL (scripts/test.sh does)',
    );
  }
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}
const MARIA = mariadb();

async function admin(database = 'postgres') {
  const client = new Client({ ...PG, database });
  await client.connect();
  return client;
}

const catalog = catalogServiceMock({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'acct-db', namespace: 'default' },
      spec: {
        type: 'database',
        engine: 'postgresql',
        address: PG.host,
        port: PG.port,
        credential: 'acct-db-admin',
        database: dbName,
        owner: 'dba',
      },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'shop-db', namespace: 'default' },
      spec: {
        type: 'database',
        engine: 'mariadb',
        address: MARIA.host,
        port: MARIA.port,
        credential: 'shop-db-admin',
        database: dbName,
        owner: 'dba',
      },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'legacy-db', namespace: 'default' },
      spec: {
        type: 'database',
        engine: 'oracle',
        credential: 'x',
        owner: 'dba',
      },
    },
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: { name: 'web-01', namespace: 'default' },
      spec: { type: 'host', owner: 'ops' },
    },
  ],
});

describe('opsdeck:tickets:database-account (real PostgreSQL)', () => {
  const created: string[] = [];

  beforeAll(async () => {
    const client = await admin();
    await client.query(`CREATE DATABASE ${dbName}`);
    await client.end();
    const db = await admin(dbName);
    await db.query('CREATE TABLE payments (id serial primary key, amount int)');
    await db.query('INSERT INTO payments (amount) VALUES (42)');
    await db.end();
    const maria = await mysql.createConnection(MARIA);
    await maria.query(`CREATE DATABASE \`${dbName}\``);
    await maria.query(
      `CREATE TABLE \`${dbName}\`.orders (id int auto_increment primary key, amount int)`,
    );
    await maria.query(`INSERT INTO \`${dbName}\`.orders (amount) VALUES (42)`);
    await maria.end();
  });

  afterAll(async () => {
    const client = await admin();
    await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    for (const role of created) {
      await client.query(`DROP ROLE IF EXISTS "${role}"`);
    }
    await client.end();
    const maria = await mysql.createConnection(MARIA);
    await maria.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    for (const role of created) {
      await maria.query(`DROP USER IF EXISTS ?@'%'`, [role]);
    }
    await maria.end();
  });

  async function setup() {
    const backend = await startTicketsBackend(undefined, { vault: true });
    // the admin credential the entity names, put in the vault over its API
    await request(backend.server)
      .post('/api/vault/credentials')
      .set('Authorization', as('alice'))
      .send({
        name: 'acct-db-admin',
        type: 'password',
        username: PG.user,
        secret: PG.password,
        owner: 'dba',
        allowedUses: ['db-admin'],
      })
      .expect(201);
    await request(backend.server)
      .post('/api/vault/credentials')
      .set('Authorization', as('alice'))
      .send({
        name: 'shop-db-admin',
        type: 'password',
        username: MARIA.user,
        secret: MARIA.password,
        owner: 'dba',
        allowedUses: ['db-admin'],
      })
      .expect(201);
    const approval = createApprovalAction({
      tickets: backend.client,
      catalog,
      auth: mockServices.auth(),
      pollIntervalMs: 20,
    });
    const writer = new VaultWriter(backend.discovery, backend.auth);
    const account = createDatabaseAccountAction({
      tickets: backend.client,
      catalog,
      getSecret: backend.vault.getSecret,
      putPassword: c => writer.putPassword(c),
    });
    return { backend, approval, account };
  }

  /** Runs the approval step for frank and lets carol decide. */
  async function approved(
    s: Awaited<ReturnType<typeof setup>>,
    taskId: string,
    decision: 'approve' | 'reject',
  ) {
    const step = actionContext(
      { title: `account ${taskId}`, approvers: ['dba'] },
      { user: 'frank', taskId },
    );
    const run = s.approval.handler(step.ctx);
    const ticket = await eventually(async () => {
      const res = await request(s.backend.server)
        .get('/api/tickets/tickets?view=inbox')
        .set('Authorization', as('carol'));
      return res.body.items?.find((t: any) => t.title === `account ${taskId}`);
    });
    await request(s.backend.server)
      .post(`/api/tickets/tickets/${ticket.id}/decision`)
      .set('Authorization', as('carol'))
      .send({ decision })
      .expect(200);
    return { run, ticketId: ticket.id as number };
  }

  it('creates a read-only account with the password in the vault, never in the ticket', async () => {
    const s = await setup();
    const { run, ticketId } = await approved(s, 'task-ro', 'approve');
    await run;
    const step = actionContext(
      {
        ticketId,
        database: 'resource:default/acct-db',
        privilege: 'read-only',
      },
      { user: 'frank', stepId: 'account', taskId: 'task-ro' },
    );
    await s.account.handler(step.ctx);
    const account = accountName('user:default/frank', ticketId, 'task-ro');
    expect(account).toMatch(new RegExp(`^frank_t${ticketId}_[0-9a-f]{6}$`));
    created.push(account);
    expect(step.outputs).toEqual({
      account,
      credential: `db-acct-db-${account}`,
    });

    expect(
      s.backend.vault.credentials.get(`db-acct-db-${account}`),
    ).toMatchObject({
      type: 'password',
      username: account,
      // it serves this database's owner, for reading only
      owner: 'group:default/dba',
      allowedUses: ['db-read'],
      allowedSystems: [],
      allowedEnvironments: [],
    });
    const password = s.backend.vault.password(`db-acct-db-${account}`)!;
    // the admin login was taken out for db-admin on this database, for frank
    expect(s.backend.vault.reads).toEqual([
      {
        name: 'acct-db-admin',
        use: {
          use: 'db-admin',
          for: { ref: 'resource:default/acct-db', owner: 'group:default/dba' },
          actor: 'user:default/frank',
        },
      },
    ]);
    expect(password.length).toBeGreaterThanOrEqual(24);

    // log in as the new account: it can read, not write, not create
    const user = new Client({
      ...PG,
      user: account,
      password,
      database: dbName,
    });
    await user.connect();
    const rows = await user.query('SELECT amount FROM payments');
    expect(rows.rows).toEqual([{ amount: 42 }]);
    await expect(
      user.query('INSERT INTO payments (amount) VALUES (1)'),
    ).rejects.toThrow(/permission denied/);
    await expect(user.query('CREATE TABLE t (x int)')).rejects.toThrow(
      /permission denied/,
    );
    await user.end();

    const ticket = await request(s.backend.server)
      .get(`/api/tickets/tickets/${ticketId}`)
      .set('Authorization', as('frank'));
    expect(ticket.body.state).toBe('done');
    expect(ticket.body.result).toMatchObject({
      account,
      credential: `db-acct-db-${account}`,
      privilege: 'read-only',
    });
    expect(JSON.stringify(ticket.body)).not.toContain(password);
    // the requester checks the account through the API: it logs in and reads
    const check = await request(s.backend.server)
      .post(`/api/tickets/tickets/${ticketId}/account-check`)
      .set('Authorization', as('frank'));
    expect(check.body).toEqual({
      connected: true,
      canRead: true,
      canWrite: false,
    });
    expect(check.text).not.toContain(password);
    // the account's password was taken out for reading this database, for frank
    expect(s.backend.vault.reads.at(-1)).toEqual({
      name: `db-acct-db-${account}`,
      use: {
        use: 'db-read',
        for: { ref: 'resource:default/acct-db', owner: 'group:default/dba' },
        actor: 'user:default/frank',
      },
    });
    // bob is neither requester nor approver
    await request(s.backend.server)
      .post(`/api/tickets/tickets/${ticketId}/account-check`)
      .set('Authorization', as('bob'))
      .expect(403);
    expect(ticket.body.history.map((h: any) => h.toState)).toEqual([
      'submitted',
      'awaiting_approval',
      'approved',
      'fulfilling',
      'done',
    ]);
    // frank hears that it is done
    expect(s.backend.sent.at(-1)).toMatchObject({
      recipients: { entityRef: 'user:default/frank' },
      payload: { title: expect.stringContaining('done') },
    });
    await s.backend.backend.stop();
  });

  it('creates a read-write account; a done ticket is not fulfilled twice', async () => {
    const s = await setup();
    const { run, ticketId } = await approved(s, 'task-rw', 'approve');
    await run;
    const input = {
      ticketId,
      database: 'resource:default/acct-db',
      privilege: 'read-write',
    };
    await s.account.handler(
      actionContext(input, { user: 'frank', taskId: 'task-rw' }).ctx,
    );
    const account = accountName('user:default/frank', ticketId, 'task-rw');
    created.push(account);
    const first = {
      password: s.backend.vault.password(`db-acct-db-${account}`)!,
    };
    const user = new Client({
      ...PG,
      user: account,
      password: first.password,
      database: dbName,
    });
    await user.connect();
    await user.query('INSERT INTO payments (amount) VALUES (7)');
    await user.end();
    // a finished ticket is not fulfilled twice
    await expect(
      s.account.handler(actionContext(input, { user: 'frank' }).ctx),
    ).rejects.toThrow(/is done, not approved/);
    await s.backend.backend.stop();
  });

  it('does nothing after a rejection', async () => {
    const s = await setup();
    const { run, ticketId } = await approved(s, 'task-no', 'reject');
    await expect(run).rejects.toThrow(/rejected/);
    // even if a template ran the step anyway, nothing is created
    await expect(
      s.account.handler(
        actionContext(
          {
            ticketId,
            database: 'resource:default/acct-db',
            privilege: 'read-only',
          },
          { user: 'frank', taskId: 'task-no' },
        ).ctx,
      ),
    ).rejects.toThrow(/is rejected, not approved/);
    const account = accountName('user:default/frank', ticketId, 'task-no');
    const client = await admin();
    const roles = await client.query(
      'SELECT 1 FROM pg_roles WHERE rolname = $1',
      [account],
    );
    await client.end();
    expect(roles.rowCount).toBe(0);
    await request(s.backend.server)
      .get(`/api/vault/credentials/db-acct-db-${account}`)
      .set('Authorization', as('alice'))
      .expect(404);
    await s.backend.backend.stop();
  });

  it('creates a read-only account on the real MariaDB: SELECT works, INSERT is denied', async () => {
    const s = await setup();
    const { run, ticketId } = await approved(s, 'task-maria', 'approve');
    await run;
    const step = actionContext(
      {
        ticketId,
        database: 'resource:default/shop-db',
        privilege: 'read-only',
      },
      { user: 'frank', stepId: 'account', taskId: 'task-maria' },
    );
    await s.account.handler(step.ctx);
    const account = accountName('user:default/frank', ticketId, 'task-maria');
    created.push(account);
    expect(step.outputs).toEqual({
      account,
      credential: `db-shop-db-${account}`,
    });
    const password = s.backend.vault.password(`db-shop-db-${account}`)!;
    const user = await mysql.createConnection({
      ...MARIA,
      user: account,
      password,
      database: dbName,
    });
    try {
      const [rows] = await user.query('SELECT amount FROM orders');
      expect(rows).toEqual([{ amount: 42 }]);
      await expect(
        user.query('INSERT INTO orders (amount) VALUES (1)'),
      ).rejects.toThrow(/denied/);
    } finally {
      await user.end();
    }
    const check = await request(s.backend.server)
      .post(`/api/tickets/tickets/${ticketId}/account-check`)
      .set('Authorization', as('frank'));
    expect(check.body).toEqual({
      connected: true,
      canRead: true,
      canWrite: false,
    });
    const ticket = await request(s.backend.server)
      .get(`/api/tickets/tickets/${ticketId}`)
      .set('Authorization', as('frank'));
    expect(ticket.body.state).toBe('done');
    expect(JSON.stringify(ticket.body)).not.toContain(password);
    await s.backend.backend.stop();
  });

  it('validates the database on the server: it must be a catalog database of a known engine', async () => {
    const s = await setup();
    for (const [database, message] of [
      ['resource:default/nope', /does not exist in the catalog/],
      ['resource:default/web-01', /not a database/],
      ['resource:default/legacy-db', /runs oracle/],
    ] as const) {
      await expect(
        s.account.handler(
          actionContext(
            { ticketId: 1, database, privilege: 'read-only' },
            { user: 'frank' },
          ).ctx,
        ),
      ).rejects.toThrow(message);
    }
    await s.backend.backend.stop();
  });
});
