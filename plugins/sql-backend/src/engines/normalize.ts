/**
 * Normalises a statement for grouping in slow-query reports: literals become
 * `?` (pg_stat_statements already uses $n), whitespace collapses.
 */
export function normalizeStatement(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.|'')*'/g, '?')
    .replace(/"(?:[^"\\]|\\.)*"/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?+)')
    .replace(/\s+/g, ' ')
    .trim();
}
