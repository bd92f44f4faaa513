import type { SlowQuery } from '../engines/types';

/** A statement's activity between two snapshots. */
export interface IntervalSlowQuery extends SlowQuery {
  /**
   * Why the later snapshot's figures were taken in full: the statement was
   * not in the earlier snapshot (`new`), or a counter went down (`reset`:
   * the statistics were reset in between).
   */
  basis: 'difference' | 'new' | 'reset';
}

/** Engines whose snapshots hold cumulative counters, so two can be subtracted. */
export const INTERVAL_ENGINES: readonly string[] = ['postgresql'];

/**
 * Sums rows with the same normalised text (pg_stat_statements keeps one entry
 * per user and query id, so one text can appear more than once).
 */
function byStatement(statements: SlowQuery[]): Map<string, SlowQuery> {
  const out = new Map<string, SlowQuery>();
  for (const s of statements) {
    const seen = out.get(s.statement);
    if (!seen) {
      out.set(s.statement, { ...s });
      continue;
    }
    seen.calls += s.calls;
    seen.totalMs += s.totalMs;
    seen.rows =
      seen.rows === undefined || s.rows === undefined
        ? undefined
        : seen.rows + s.rows;
  }
  return out;
}

/**
 * What ran between an earlier and a later snapshot of cumulative counters
 * (pg_stat_statements): per normalised statement the difference of calls,
 * total time and rows, mean = Δtotal / Δcalls, sorted by Δtotal. A statement
 * only in the later snapshot counts in full; when a counter went down (stats
 * reset) the later figures are the interval's. Statements gone from the later
 * snapshot, and those with no calls in the interval, are left out.
 */
export function slowQueryInterval(
  earlier: SlowQuery[],
  later: SlowQuery[],
): IntervalSlowQuery[] {
  const before = byStatement(earlier);
  const result: IntervalSlowQuery[] = [];
  for (const now of byStatement(later).values()) {
    const prev = before.get(now.statement);
    let row: IntervalSlowQuery;
    if (!prev) {
      row = { ...now, basis: 'new' };
    } else if (
      now.calls < prev.calls ||
      now.totalMs < prev.totalMs ||
      (now.rows !== undefined &&
        prev.rows !== undefined &&
        now.rows < prev.rows)
    ) {
      row = { ...now, basis: 'reset' };
    } else {
      row = {
        statement: now.statement,
        calls: now.calls - prev.calls,
        totalMs: now.totalMs - prev.totalMs,
        meanMs: 0,
        rows:
          now.rows === undefined || prev.rows === undefined
            ? undefined
            : now.rows - prev.rows,
        basis: 'difference',
      };
    }
    if (row.calls <= 0) continue;
    row.meanMs = row.totalMs / row.calls;
    if (row.rows === undefined) delete row.rows;
    result.push(row);
  }
  return result.sort(
    (a, b) => b.totalMs - a.totalMs || a.statement.localeCompare(b.statement),
  );
}
