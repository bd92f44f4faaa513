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
