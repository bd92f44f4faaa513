// Small statistics and timing helpers shared by the benchmarks.

export const median = xs => quantile(xs, 0.5);

/** The q-quantile (0..1) of xs, linear between the two nearest ranks. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Milliseconds `fn` took. */
export async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));
