import { randomBytes } from 'node:crypto';
import { connectSql, withSqlConnection } from './connect';
import {
  accountName,
  checkAccount,
  dropAccount,
  ensureAccount,
  generatePassword,
  tablePrivileges,
} from './accounts';
import type { SqlEngine, SqlLogin } from './instance';
import { serverLogin } from './__testUtils__/serverLogin';

jest.setTimeout(60_000);

describe.each<SqlEngine>(['postgresql', 'mysql'])(
  'ensureAccount on real %s',
  engine => {
    const dbName = `sqlnode_${randomBytes(4).toString('hex')}`;
    const bootstrap = engine === 'postgresql' ? 'postgres' : 'mysql';
    let admin: SqlLogin;
    const accounts: string[] = [];

    beforeAll(async () => {
      await withSqlConnection(serverLogin(engine, bootstrap), c =>
        c.query(`CREATE DATABASE ${c.id(dbName)}`),
      );
      admin = serverLogin(engine, dbName);
      await withSqlConnection(admin, async c => {
        await c.query(
          engine === 'postgresql'
            ? 'CREATE TABLE orders (id serial primary key, amount int)'
            : 'CREATE TABLE orders (id int auto_increment primary key, amount int)',
        );
        await c.query('INSERT INTO orders (amount) VALUES (42)');
      });
    });

    afterAll(async () => {
      for (const name of accounts) await dropAccount(admin, name);
      await withSqlConnection(serverLogin(engine, bootstrap), c =>
        c.query(`DROP DATABASE ${c.id(dbName)}`),
      );
    });

    async function create(privilege: 'read-only' | 'read-write', task: string) {
      const name = accountName('user:default/frank', 7, `${dbName}-${task}`);
      accounts.push(name);
      const password = generatePassword();
      const result = await ensureAccount(admin, {
        name,
        password,
        privileges: tablePrivileges(privilege),
      });
      return { name, password, ...result };
    }

    it('creates a read-only account: it exists, SELECT works, INSERT is denied', async () => {
      const account = await create('read-only', 'ro');
      expect(account.created).toBe(true);
      const exists = await withSqlConnection(admin, c =>
        engine === 'postgresql'
          ? c.query('SELECT rolname FROM pg_roles WHERE rolname = ?', [
              account.name,
            ])
          : c.query('SELECT User FROM mysql.user WHERE User = ?', [
              account.name,
            ]),
      );
      expect(exists).toHaveLength(1);

      const login = {
        ...admin,
        user: account.name,
        password: account.password,
      };
      const c = await connectSql(login);
      try {
        const rows = await c.query<{ amount: number }>(
          'SELECT amount FROM orders',
        );
        expect(rows.map(r => Number(r.amount))).toEqual([42]);
        await expect(
          c.query('INSERT INTO orders (amount) VALUES (1)'),
        ).rejects.toThrow(/denied/i);
        await expect(c.query('CREATE TABLE evil (id int)')).rejects.toThrow(
          /denied/i,
        );
      } finally {
        await c.close();
      }
      expect(await checkAccount(login)).toEqual({
        connected: true,
        canRead: true,
        canWrite: false,
      });
    });

    it('creates a read-write account that can INSERT but not create tables', async () => {
      const account = await create('read-write', 'rw');
      const c = await connectSql({
        ...admin,
        user: account.name,
        password: account.password,
      });
      try {
        await c.query('INSERT INTO orders (amount) VALUES (7)');
        const rows = await c.query('SELECT amount FROM orders');
        expect(rows.length).toBeGreaterThanOrEqual(2);
        await expect(c.query('CREATE TABLE evil (id int)')).rejects.toThrow(
          /denied/i,
        );
      } finally {
        await c.close();
      }
      expect(
        await checkAccount({
          ...admin,
          user: account.name,
          password: account.password,
        }),
      ).toMatchObject({ connected: true, canRead: true, canWrite: true });
    });

    it('resets an existing account: new password, privileges narrowed to the request', async () => {
      const first = await create('read-write', 'reset');
      const storedPassword = () =>
        withSqlConnection(admin, c =>
          engine === 'postgresql'
            ? c.query(
                'SELECT rolpassword AS p FROM pg_authid WHERE rolname = ?',
                [first.name],
              )
            : c.query(
                "SELECT authentication_string AS p FROM mysql.user WHERE User = ? AND Host = '%'",
                [first.name],
              ),
        );
      const before = await storedPassword();
      const password = generatePassword();
      const again = await ensureAccount(admin, {
        name: first.name,
        password,
        privileges: ['SELECT'],
      });
      expect(again.created).toBe(false);
      expect(await storedPassword()).not.toEqual(before);
      const c = await connectSql({ ...admin, user: first.name, password });
      try {
        expect(await c.query('SELECT amount FROM orders')).not.toHaveLength(0);
        await expect(
          c.query('INSERT INTO orders (amount) VALUES (1)'),
        ).rejects.toThrow(/denied/i);
      } finally {
        await c.close();
      }
    });

    it('refuses a name that is not an identifier', async () => {
      await expect(
        ensureAccount(admin, {
          name: 'x; DROP TABLE orders',
          password: 'p',
          privileges: ['SELECT'],
        }),
      ).rejects.toThrow(/not a valid account name/);
    });
  },
);

describe('accountName', () => {
  it('is stable per task, an identifier, and short enough for MySQL', () => {
    const a = accountName('user:default/a-very-long-user.name', 123456, 't1');
    expect(a).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(a.length).toBeLessThanOrEqual(32);
    expect(accountName('user:default/frank', 1, 't1')).toBe(
      accountName('user:default/frank', 1, 't1'),
    );
    expect(accountName('user:default/frank', 1, 't1')).not.toBe(
      accountName('user:default/frank', 1, 't2'),
    );
  });
});
