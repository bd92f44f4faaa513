import { randomBytes } from 'node:crypto';
import { connectSql, withSqlConnection } from './connect';
import type { SqlEngine } from './instance';
import { serverLogin } from './__testUtils__/serverLogin';
import { readOnlyProblems } from './privileges';

jest.setTimeout(60_000);

const suffix = randomBytes(3).toString('hex');
const db = `sqlnode_priv_${suffix}`;
const password = `pw_${suffix}`;

async function problemsOf(engine: SqlEngine, user: string) {
  const c = await connectSql({ ...serverLogin(engine, db), user, password });
  try {
    return await readOnlyProblems(c);
  } finally {
    await c.close();
  }
}

describe('readOnlyProblems on the real PostgreSQL', () => {
  const role = (name: string) => `priv_${name}_${suffix}`;
  const roles = ['ro', 'su', 'files', 'signal', 'writer', 'creator'];

  beforeAll(async () => {
    await withSqlConnection(serverLogin('postgresql', 'postgres'), c =>
      c.query(`CREATE DATABASE ${db}`),
    );
    await withSqlConnection(serverLogin('postgresql', db), async c => {
      await c.query('CREATE TABLE t (id int PRIMARY KEY)');
      for (const r of roles)
        await c.query(`CREATE ROLE ${role(r)} LOGIN PASSWORD '${password}'`);
      for (const r of roles) await c.query(`GRANT SELECT ON t TO ${role(r)}`);
      await c.query(`ALTER ROLE ${role('su')} SUPERUSER`);
      await c.query(`GRANT pg_read_server_files TO ${role('files')}`);
      await c.query(`GRANT pg_signal_backend TO ${role('signal')}`);
      await c.query(`GRANT INSERT ON t TO ${role('writer')}`);
      await c.query(`GRANT CREATE ON SCHEMA public TO ${role('creator')}`);
    });
  });

  afterAll(async () => {
    await withSqlConnection(serverLogin('postgresql', 'postgres'), async c => {
      await c.query(`DROP DATABASE IF EXISTS ${db}`);
      for (const r of roles) await c.query(`DROP ROLE IF EXISTS ${role(r)}`);
    });
  });

  it('a SELECT-only role is read-only', async () => {
    expect(await problemsOf('postgresql', role('ro'))).toEqual([]);
  });

  it.each([
    ['su', /is a superuser/],
    ['files', /member of pg_read_server_files/],
    ['signal', /member of pg_signal_backend/],
    ['writer', /can write to public\.t/],
    ['creator', /can create objects in schema public/],
  ])('%s is not: %s', async (name, why) => {
    const problems = await problemsOf('postgresql', role(name));
    expect(problems.some(p => why.test(p))).toBe(true);
  });
});

describe('readOnlyProblems on the real MariaDB', () => {
  const user = (name: string) => `pv_${name}_${suffix}`;
  const users = ['ro', 'writer', 'file', 'grantor', 'roled'];

  beforeAll(async () => {
    await withSqlConnection(serverLogin('mysql', 'mysql'), async c => {
      await c.query(`CREATE DATABASE ${db}`);
      await c.query(`CREATE TABLE ${db}.t (id int PRIMARY KEY)`);
      for (const u of users) {
        await c.query(
          `CREATE USER '${user(u)}'@'%' IDENTIFIED BY '${password}'`,
        );
        await c.query(`GRANT SELECT, SHOW VIEW ON ${db}.* TO '${user(u)}'@'%'`);
      }
      await c.query(`GRANT INSERT ON ${db}.t TO '${user('writer')}'@'%'`);
      await c.query(`GRANT FILE ON *.* TO '${user('file')}'@'%'`);
      await c.query(
        `GRANT SELECT ON ${db}.* TO '${user('grantor')}'@'%' WITH GRANT OPTION`,
      );
      await c.query(`CREATE ROLE r_${suffix}`);
      await c.query(`GRANT r_${suffix} TO '${user('roled')}'@'%'`);
    });
  });

  afterAll(async () => {
    await withSqlConnection(serverLogin('mysql', 'mysql'), async c => {
      await c.query(`DROP DATABASE IF EXISTS ${db}`);
      for (const u of users)
        await c.query(`DROP USER IF EXISTS '${user(u)}'@'%'`);
      await c.query(`DROP ROLE IF EXISTS r_${suffix}`);
    });
  });

  it('SELECT and SHOW VIEW only is read-only', async () => {
    expect(await problemsOf('mysql', user('ro'))).toEqual([]);
  });

  it.each([
    ['writer', /holds INSERT on/],
    ['file', /holds FILE on \*\.\*/],
    ['grantor', /WITH GRANT OPTION/],
    ['roled', /role granted/],
  ])('%s is not: %s', async (name, why) => {
    const problems = await problemsOf('mysql', user(name));
    expect(problems.some(p => why.test(p))).toBe(true);
  });
});
