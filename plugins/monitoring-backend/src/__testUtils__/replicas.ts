import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { knex, type Knex } from 'knex';
import { freePort } from './servers';

/**
 * A real primary and streaming replica on loopback, for the replication lag
 * panels: PostgreSQL (Debian's binaries under /usr/lib/postgresql/<v>/bin,
 * replica made with `pg_basebackup -R`) and MariaDB (Debian's mariadbd, GTID
 * replication). Own temp dirs and free ports; run as the `postgres` / `mysql`
 * user when the tests run as root, as scripts/services/*.sh do. `stop()`
 * stops both servers and removes the dir.
 */
export interface ReplicatedPair {
  /** Ports of the primary and the replica on 127.0.0.1. */
  primaryPort: number;
  replicaPort: number;
  /** Connections (as a superuser) to the primary and the replica. */
  primary: Knex;
  replica: Knex;
  /** The DSN an exporter uses for the server on `port`. */
  exporterDsn(port: number): string;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/** Runs a command as `user` when root (runuser), else as ourselves. */
async function runAs(user: string, command: string, args: string[]) {
  try {
    return isRoot
      ? await run('runuser', ['-u', user, '--', command, ...args])
      : await run(command, args);
  } catch (e: any) {
    throw new Error(`${command} ${args.join(' ')}: ${e.stderr ?? e}`);
  }
}

function tempDirFor(prefix: string, user: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `opsdeck-${prefix}-`));
  if (isRoot) {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find(l => l.startsWith(`${user}:`));
    if (!line) throw new Error(`no user ${user} (its server's Debian package)`);
    const [, , uid, gid] = line.split(':');
    fs.chownSync(dir, Number(uid), Number(gid));
  }
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** Two distinct free loopback ports (a primary's and its replica's). */
async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  for (;;) {
    const second = await freePort();
    if (second !== first) return [first, second];
  }
}

/** The newest Debian PostgreSQL's bin dir. */
function postgresBin(): string {
  const versions = fs
    .readdirSync('/usr/lib/postgresql')
    .filter(v => fs.existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`))
    .sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) {
    throw new Error('no PostgreSQL under /usr/lib/postgresql (postgresql-15)');
  }
  return `/usr/lib/postgresql/${versions.at(-1)}/bin`;
}

/** PostgreSQL primary + streaming replica (pg_basebackup -R). */
export async function startPostgresReplication(): Promise<ReplicatedPair> {
  const bin = (name: string) => path.join(postgresBin(), name);
  const dir = tempDirFor('pg-replication', 'postgres');
  const [primaryPort, replicaPort] = await twoFreePorts();
  const started: string[] = [];
  const pgCtlStart = async (data: string, port: number) => {
    await runAs('postgres', bin('pg_ctl'), [
      '-D',
      data,
      '-l',
      `${data}.log`,
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
    started.push(data);
  };
  const url = (port: number) =>
    `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
  const connections: Knex[] = [];
  const stop = async () => {
    await Promise.all(connections.map(c => c.destroy()));
    // the replica first, then the primary
    for (const data of started.reverse()) {
      await runAs('postgres', bin('pg_ctl'), [
        '-D',
        data,
        '-m',
        'immediate',
        '-w',
        'stop',
      ]).catch(() => undefined);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primaryData = path.join(dir, 'primary');
    const replicaData = path.join(dir, 'replica');
    await runAs('postgres', bin('initdb'), [
      '-D',
      primaryData,
      '-U',
      'postgres',
      '--auth=trust',
    ]);
    await pgCtlStart(primaryData, primaryPort);
    // initdb's pg_hba trusts replication connections from 127.0.0.1
    await runAs('postgres', bin('pg_basebackup'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaData,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    await pgCtlStart(replicaData, replicaPort);
    const connect = (port: number) => {
      const c = knex({
        client: 'pg',
        connection: url(port),
        pool: { min: 0, max: 2 },
      });
      connections.push(c);
      return c;
    };
    return {
      primaryPort,
      replicaPort,
      primary: connect(primaryPort),
      replica: connect(replicaPort),
      exporterDsn: url,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * MariaDB primary (binlog, server id 1) + replica (server id 2) replicating
 * with GTID (`MASTER_USE_GTID=slave_pos`). The exporter logs in as
 * `exporter` with the grants the README lists (PROCESS, REPLICATION CLIENT,
 * SLAVE MONITOR, SELECT); the connections as `opsdeck` (all privileges).
 */
export async function startMariadbReplication(): Promise<ReplicatedPair> {
  const user = isRoot ? 'mysql' : os.userInfo().username;
  const dir = tempDirFor('mariadb-replication', user);
  const [primaryPort, replicaPort] = await twoFreePorts();
  const children: ChildProcess[] = [];
  const connections: Knex[] = [];
  const stop = async () => {
    await Promise.all(connections.map(c => c.destroy()));
    await Promise.all(
      children.map(child =>
        child.exitCode !== null || child.signalCode !== null
          ? undefined
          : new Promise(resolve => {
              child.once('exit', resolve);
              child.kill('SIGTERM');
            }),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const socket = (name: string) => path.join(dir, `${name}.sock`);
  const cli = (name: string, sql: string) =>
    run('mariadb', [
      '--no-defaults',
      `--socket=${socket(name)}`,
      '-uroot',
      '-e',
      sql,
    ]);
  try {
    const primaryData = path.join(dir, 'primary');
    await run('mariadb-install-db', [
      '--no-defaults',
      `--user=${user}`,
      `--datadir=${primaryData}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ]);
    // the replica starts from the same fresh system tables
    await run('cp', ['-a', primaryData, path.join(dir, 'replica')]);
    const serve = async (name: string, port: number, serverId: number) => {
      let out = '';
      const child = spawn(
        'mariadbd',
        [
          '--no-defaults',
          `--user=${user}`,
          `--datadir=${path.join(dir, name)}`,
          '--bind-address=127.0.0.1',
          `--port=${port}`,
          `--socket=${socket(name)}`,
          `--pid-file=${path.join(dir, `${name}.pid`)}`,
          '--skip-name-resolve',
          '--innodb-flush-log-at-trx-commit=0',
          '--innodb-buffer-pool-size=16M',
          `--server-id=${serverId}`,
          `--log-basename=${name}`,
          '--log-bin',
          '--binlog-format=ROW',
          // a replica's applier waits on a held lock instead of giving up
          '--innodb-lock-wait-timeout=120',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      child.stdout!.on('data', d => (out = (out + d).slice(-5000)));
      child.stderr!.on('data', d => (out = (out + d).slice(-5000)));
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) {
          throw new Error(`mariadbd ${name} exited: ${out}`);
        }
        const ping = await run('mariadb-admin', [
          '--no-defaults',
          `--socket=${socket(name)}`,
          '-uroot',
          'ping',
        ]).then(
          () => true,
          () => false,
        );
        if (ping) return;
        if (Date.now() > deadline) {
          throw new Error(`mariadbd ${name} did not start: ${out}`);
        }
        await new Promise(r => setTimeout(r, 100));
      }
    };
    await Promise.all([
      serve('primary', primaryPort, 1),
      serve('replica', replicaPort, 2),
    ]);
    await cli(
      'primary',
      `CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-pw';
       GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
       CREATE USER 'exporter'@'127.0.0.1' IDENTIFIED BY 'exporter-pw';
       GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO 'exporter'@'127.0.0.1';
       CREATE USER 'opsdeck'@'127.0.0.1' IDENTIFIED BY 'opsdeck-pw';
       GRANT ALL PRIVILEGES ON *.* TO 'opsdeck'@'127.0.0.1';`,
    );
    // from the primary's first GTID: the users above replicate too
    await cli(
      'replica',
      `SET GLOBAL gtid_slave_pos = '';
       CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${primaryPort},
         MASTER_USER = 'repl', MASTER_PASSWORD = 'repl-pw', MASTER_USE_GTID = slave_pos;
       START SLAVE;`,
    );
    const connect = (port: number) => {
      const c = knex({
        client: 'mysql2',
        connection: {
          host: '127.0.0.1',
          port,
          user: 'opsdeck',
          password: 'opsdeck-pw',
        },
        pool: { min: 0, max: 2 },
      });
      connections.push(c);
      return c;
    };
    return {
      primaryPort,
      replicaPort,
      primary: connect(primaryPort),
      replica: connect(replicaPort),
      exporterDsn: port => `exporter:exporter-pw@(127.0.0.1:${port})/`,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
