/**
 * Fault injection for crash-consistency tests (issue: crash consistency).
 *
 * A long operation calls `crashPoint('<plugin>.<operation>.<phase>')` at each
 * place where a crash must not lose or repeat work. When the environment
 * variable `OPSDECK_CRASH_POINT` names that point, the process kills itself
 * with SIGKILL right there: no exit handlers, no flushed writes, exactly what
 * `kill -9` leaves behind. `OPSDECK_CRASH_POINT=<name>#<n>` crashes at the
 * n-th time the point is reached (1-based), e.g. after the first of two grants.
 *
 * Off in production: with `NODE_ENV=production` the variable is ignored.
 * Points cost one comparison when the variable is unset.
 */
const hits = new Map<string, number>();

function target(): { name: string; nth: number } | undefined {
  const raw = process.env.OPSDECK_CRASH_POINT;
  if (!raw || process.env.NODE_ENV === 'production') return undefined;
  const [name, nth] = raw.split('#');
  const n = nth === undefined ? 1 : Number(nth);
  return { name, nth: Number.isInteger(n) && n > 0 ? n : 1 };
}

/** Kills the process here if `OPSDECK_CRASH_POINT` names this point (see above). */
export function crashPoint(name: string): void {
  const t = target();
  if (!t || t.name !== name) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count !== t.nth) return;
  // Written synchronously so the test harness can tell the planned crash
  // from an accidental one.
  process.stderr.write(`opsdeck crash point reached: ${name}#${count}\n`);
  process.kill(process.pid, 'SIGKILL');
}
