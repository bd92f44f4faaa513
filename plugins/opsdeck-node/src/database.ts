import type { Knex } from 'knex';

/**
 * Whether a database error is a unique-key violation, on PostgreSQL (23505)
 * and SQLite (SQLITE_CONSTRAINT_*): what an insert that lost a race, or that
 * repeats an idempotency key, fails with.
 */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err?.code === '23505' ||
    String(err?.code ?? '').startsWith('SQLITE_CONSTRAINT') ||
    /UNIQUE constraint failed/.test(err?.message ?? '')
  );
}

/**
 * The database's current time in epoch ms, as an SQL expression (evaluated
 * by the server when the statement runs, never by a replica's own clock).
 * PostgreSQL and SQLite; `helper` names the caller in the refusal of others.
 */
export function databaseNowMs(knex: Knex, helper = 'createLeases'): string {
  const client = knex.client as { dialect?: string; driverName?: string };
  if (client.dialect === 'postgresql') {
    // clock_timestamp(): the wall clock now, not the transaction's start
    return '(extract(epoch from clock_timestamp()) * 1000)::bigint';
  }
  if (client.dialect === 'sqlite3' || client.driverName === 'better-sqlite3') {
    return "cast(round((julianday('now') - 2440587.5) * 86400000) as integer)";
  }
  throw new Error(
    `${helper} supports PostgreSQL and SQLite, not ${client.dialect}`,
  );
}
