#!/usr/bin/env node
// SQL review and execution with backup (plugins/sql-backend):
//   (a) review of a 10,000-statement change script, both dialects, without an instance (parsers + rules):
//       statements per second, the current review (PostgreSQL's own parser, the MySQL lexer with
//       node-sql-parser) beside the previous implementation (node-sql-parser with its own splitter, taken
//       from git at BENCH_SQL_BASELINE, default 8600685) measured in the same run; plus a script of
//       10,000 distinct statement shapes (no shape is parsed twice)
//   (b) an UPDATE touching 100,000 rows on the test PostgreSQL and MariaDB: opsdeck's execution
//       (SELECT ... FOR UPDATE backup + UPDATE in one transaction, rollback SQL generated) against the
//       bare UPDATE on the same table, then the one-click rollback that restores the rows.
// Run from the repository root (loads the TypeScript sources through Backstage's node transform):
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/sql.mjs
// Environment: BENCH_PG_URL (default the test PostgreSQL), BENCH_MARIADB_URL (default the test MariaDB),
//   BENCH_ROWS (100000), BENCH_STATEMENTS (10000), BENCH_SQL_BASELINE (git commit of the old review)
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { reviewSql } = require('../plugins/sql-backend/src/review/reviewSql.ts');
const { sqlDriver } = require('../plugins/sql-backend/src/engines/index.ts');
const {
  executeStatements,
  rollbackRuns,
} = require('../plugins/sql-backend/src/workflow/executeChange.ts');

const BASELINE = process.env.BENCH_SQL_BASELINE ?? '8600685';
const OLD_REVIEW = 'plugins/sql-backend/.bench-old-review';

/** The previous review code, from git, next to the package (so its dependencies resolve). */
function loadOldReview() {
  rmSync(OLD_REVIEW, { recursive: true, force: true });
  mkdirSync(OLD_REVIEW, { recursive: true });
  for (const file of [
    'ast',
    'inspector',
    'reservedWords',
    'reviewSql',
    'rules',
    'splitStatements',
  ]) {
    const text = execFileSync(
      'git',
      ['show', `${BASELINE}:plugins/sql-backend/src/review/${file}.ts`],
      {
        encoding: 'utf8',
      },
    );
    writeFileSync(`${OLD_REVIEW}/${file}.ts`, text);
  }
  return require(`../${OLD_REVIEW}/reviewSql.ts`).reviewSql;
}

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 10_000);
const servers = {
  postgresql:
    process.env.BENCH_PG_URL ??
    'postgresql://opsdeck:opsdeck-test-pw@127.0.0.1:55432',
  mysql:
    process.env.BENCH_MARIADB_URL ??
    'mysql://opsdeck:opsdeck-test-pw@127.0.0.1:53306',
};

function script(n) {
  const kinds = [
    i => `UPDATE accounts SET balance = balance + ${i} WHERE id = ${i}`,
    i =>
      `INSERT INTO audit_trail (account_id, note) VALUES (${i}, 'note ${i}')`,
    i =>
      `DELETE FROM sessions WHERE account_id = ${i} AND created_at < '2026-01-01'`,
    i =>
      `UPDATE accounts SET region = 'eu', updated_at = '2026-02-01' WHERE id IN (${i}, ${
        i + 1
      }, ${i + 2})`,
  ];
  return Array.from(
    { length: n },
    (_, i) => `${kinds[i % kinds.length](i)};`,
  ).join('\n');
}

/** 10,000 statements of every shape once: the worst case for the parse-tree cache. */
function distinctScript(n) {
  return Array.from(
    { length: n },
    (_, i) =>
      `UPDATE accounts SET c${i} = c${i} + ${i}, region = 'r${i}' WHERE id = ${i} AND k${i} > 0;`,
  ).join('\n');
}

async function timeReview(review, engine, sql) {
  const started = process.hrtime.bigint();
  const result = await review({ engine, sql });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    ms,
    n: result.statements.length,
    perSecond: Math.round((result.statements.length / ms) * 1000),
    findings: result.findings.length,
  };
}

async function reviewBench() {
  const oldReview = loadOldReview();
  try {
    const sql = script(STATEMENTS);
    const distinct = distinctScript(STATEMENTS);
    console.log(
      `review of ${STATEMENTS} statements without an instance; old = ${BASELINE} (node-sql-parser, own splitter), same run`,
    );
    for (const engine of ['postgresql', 'mysql']) {
      // warm-up: loads the parsers (libpg-query's WebAssembly) and JIT-compiles
      await reviewSql({ engine, sql: script(200) });
      await oldReview({ engine, sql: script(200) });
      for (const [label, text] of [
        ['generated script', sql],
        ['distinct shapes', distinct],
      ]) {
        const now = await timeReview(reviewSql, engine, text);
        const before = await timeReview(oldReview, engine, text);
        console.log(
          `review ${engine.padEnd(10)} ${label.padEnd(16)} new ${String(
            now.perSecond,
          ).padStart(6)} statements/s (${now.ms.toFixed(0)} ms, ${
            now.findings
          } findings)` +
            `  old ${String(before.perSecond).padStart(
              6,
            )} statements/s (${before.ms.toFixed(0)} ms)  new/old ${(
              now.perSecond / before.perSecond
            ).toFixed(2)}x`,
        );
      }
    }
  } finally {
    rmSync(OLD_REVIEW, { recursive: true, force: true });
  }
}

function target(url, database) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
  };
}

async function timed(fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function executionBench(engine) {
  const driver = sqlDriver(engine);
  const db = `opsdeck_sql_bench_${process.pid}`;
  const admin = await driver.connect(target(servers[engine]));
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.query(`CREATE DATABASE ${db}`);
  const session = await driver.connect(target(servers[engine], db));
  try {
    await session.query(
      'CREATE TABLE accounts (id int PRIMARY KEY, name varchar(64), region varchar(8), balance numeric(12,2), note text)',
    );
    const fill =
      engine === 'postgresql'
        ? `INSERT INTO accounts SELECT g, 'name ' || g, 'us', g * 1.5, 'note ' || g FROM generate_series(1, ${ROWS}) g`
        : `INSERT INTO accounts WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${ROWS}) SELECT g, CONCAT('name ', g), 'us', g * 1.5, CONCAT('note ', g) FROM s`;
    if (engine === 'mysql')
      await session.query(
        `SET SESSION max_recursive_iterations = ${ROWS + 10}`,
      );
    await session.query(fill);
    const update = `UPDATE accounts SET balance = balance + 1, region = 'eu' WHERE id <= ${ROWS}`;
    const bare = await timed(() => session.query(update));
    const [review] = [
      await reviewSql({
        engine,
        sql: update,
        mode: await driver.lexicalMode(session),
      }),
    ];
    const runs = [];
    const withBackup = await timed(() =>
      executeStatements({
        driver,
        session,
        engine,
        statements: review.statements,
        mode: review.mode,
        onRun: async r => runs.push(r),
      }),
    );
    if (!withBackup.value.ok) throw new Error(withBackup.value.error);
    const rollback = await timed(() => rollbackRuns({ driver, session, runs }));
    console.log(
      `execute ${engine.padEnd(10)} UPDATE of ${
        runs[0].affectedRows
      } rows: bare ${bare.ms.toFixed(0)} ms, ` +
        `with backup + rollback SQL ${withBackup.ms.toFixed(0)} ms (${(
          withBackup.ms / bare.ms
        ).toFixed(1)}x), ` +
        `rollback of ${rollback.value} rows ${rollback.ms.toFixed(0)} ms`,
    );
  } finally {
    await session.close();
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.close();
  }
}

await reviewBench();
await executionBench('postgresql');
await executionBench('mysql');
