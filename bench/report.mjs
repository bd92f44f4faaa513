#!/usr/bin/env node
// Weekly report generation (plugins/report-backend) for a week with 100,000 audit events:
//   opsdeck   ReportGenerator.generate(week): one pass over the week's audit log (auditLogServiceRef's
//             scan), every event classified, every counted record kept for the org and 5 teams
//   SQL only  the same figures as COUNT queries in the database (the integration test's
//             expectedCounts.ts, one query per figure and scope): counts only, no records kept
// on SQLite (a file, as the default install) and on the test PostgreSQL (a fresh database).
// Run from the repository root (loads the TypeScript sources through Backstage's node transform):
//   node --require ./node_modules/@backstage/cli-node/config/nodeTransform.cjs bench/report.mjs
// Environment: BENCH_PG_URL (default the test PostgreSQL), BENCH_EVENTS (100000), BENCH_RUNS (3)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './lib/stats.mjs';

const require = createRequire(import.meta.url);
const knexFactory = require('knex');
const {
  DatabaseAuditStore,
} = require('../plugins/audit-backend/src/database/DatabaseAuditStore.ts');
const { DatabaseAuditLog } = require('../plugins/audit-node/src/index.ts');
const {
  ReportGenerator,
} = require('../plugins/report-backend/src/generate/ReportGenerator.ts');
const { weekOf } = require('../plugins/report-backend/src/schedule/period.ts');
const {
  seedAuditWeek,
  SEED_HOSTS,
} = require('../plugins/report-backend/src/testUtils/seedWeek.ts');
const {
  expectedCounter,
} = require('../plugins/report-backend/src/testUtils/expectedCounts.ts');
const { REPORT_FIGURE_KEYS } = require('../plugins/report-common/src/index.ts');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SEED_BASE = 5_000;
const PG_URL =
  process.env.BENCH_PG_URL ??
  'postgresql://opsdeck:opsdeck-test-pw@127.0.0.1:55432';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'];
const TEAMS = {
  'group:default/admins': ['alice'],
  'group:default/ops': ['alice', 'bob'],
  'group:default/dba': ['carol'],
  'group:default/dev': ['dave'],
  'group:default/security': ['erin'],
};

/** The demo org as the report reads it from the catalog. */
function catalogSnapshot() {
  const memberships = new Map();
  for (const [team, members] of Object.entries(TEAMS)) {
    for (const m of members) {
      const ref = `user:default/${m}`;
      memberships.set(ref, [...(memberships.get(ref) ?? []), team]);
    }
  }
  return {
    teams: Object.keys(TEAMS).map(ref => ({
      ref,
      title: ref.split('/')[1],
    })),
    emails: new Map(USERS.map(u => [`user:default/${u}`, `${u}@example`])),
    memberships,
    prodEntities: new Set(SEED_HOSTS.prod),
    orgTitle: 'opsdeck',
  };
}

const ms = start => Number(process.hrtime.bigint() - start) / 1e6;

async function bench(name, knex) {
  const store = await DatabaseAuditStore.create({
    database: { getClient: async () => knex },
  });
  const week = weekOf(new Date(Date.UTC(2026, 10, 18)), 'UTC');
  // The seeded week (every kind the report counts and kinds it must not)
  // written through the audit store, then copied until there are EVENTS.
  let started = process.hrtime.bigint();
  const base = Math.min(EVENTS, SEED_BASE);
  const inside = await knex.transaction(trx =>
    seedAuditWeek(new DatabaseAuditStore(trx), week, base),
  );
  const columns = await knex('audit_events').columnInfo();
  const cols = Object.keys(columns)
    .filter(c => c !== 'id')
    .map(c => `"${c}"`)
    .join(', ');
  for (let n = base; n < EVENTS; n += base) {
    await knex.raw(
      `INSERT INTO audit_events (${cols}) SELECT ${cols} FROM audit_events WHERE id <= ? ORDER BY id LIMIT ?`,
      [base, Math.min(base, EVENTS - n)],
    );
  }
  const total = Number((await knex('audit_events').count({ n: '*' }))[0].n);
  console.log(
    `${name}: ${total} audit events (${base} seeded, ${inside} of them in the week, copied) in ${(
      ms(started) / 1000
    ).toFixed(1)} s`,
  );
  const snapshot = catalogSnapshot();
  const generator = new ReportGenerator({
    auditLog: new DatabaseAuditLog(knex),
    readCatalog: async () => snapshot,
  });
  const counter = expectedCounter(knex, week, { prodHosts: SEED_HOSTS.prod });
  const figures = REPORT_FIGURE_KEYS.filter(k => !k.startsWith('jobs.'));
  const scopes = [
    {},
    ...Object.entries(TEAMS).map(([team, members]) => ({
      team,
      members: members.map(m => `user:default/${m}`),
    })),
  ];

  const opsdeck = [];
  const sqlOnly = [];
  let records = 0;
  for (let i = 0; i < RUNS; i++) {
    started = process.hrtime.bigint();
    const reports = await generator.generate(week);
    opsdeck.push(ms(started));
    records = reports.reduce(
      (n, r) =>
        n + Object.values(r.records ?? {}).reduce((a, x) => a + x.length, 0),
      0,
    );
    started = process.hrtime.bigint();
    for (const scope of scopes) {
      for (const figure of figures) await counter(figure, scope);
    }
    sqlOnly.push(ms(started));
  }
  const a = median(opsdeck);
  const b = median(sqlOnly);
  console.log(
    `${name}: opsdeck generate ${a.toFixed(0)} ms (6 reports${
      records ? `, ${records} records kept` : ''
    }) | SQL counts only ${b.toFixed(0)} ms (${
      figures.length * scopes.length
    } COUNT queries) | ratio ${(a / b).toFixed(2)} (median of ${RUNS})`,
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-report-'));
const sqlite = knexFactory({
  client: 'better-sqlite3',
  connection: { filename: path.join(dir, 'audit.sqlite') },
  useNullAsDefault: true,
});
try {
  await bench('sqlite', sqlite);
} finally {
  await sqlite.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

const dbName = `opsdeck_bench_report_${process.pid}`;
const admin = knexFactory({
  client: 'pg',
  connection: `${PG_URL.replace(/\/+$/, '')}/postgres`,
});
await admin.raw(`CREATE DATABASE ${dbName}`);
const pg = knexFactory({
  client: 'pg',
  connection: `${PG_URL.replace(/\/+$/, '')}/${dbName}`,
});
try {
  await bench('postgresql', pg);
} finally {
  await pg.destroy();
  await admin.raw(`DROP DATABASE ${dbName}`);
  await admin.destroy();
}
