import type { RE2 } from 're2-wasm';

/** A pattern RE2 cannot compile. */
export class InvalidPatternError extends Error {
  readonly name = 'InvalidPatternError';
  constructor(readonly pattern: string, reason: string) {
    super(`Invalid pattern ${JSON.stringify(pattern)}: ${reason}`);
  }
}

/**
 * A pattern compiled by RE2 (Google's linear-time engine, run as
 * WebAssembly): matching takes time linear in the input whatever the
 * pattern, so neither a hostile log nor a hostile user-added cause can stall
 * the backend. RE2 refuses what it cannot run in linear time
 * (backreferences, lookaround), and so does this function.
 */
export function compileRe2(pattern: string, flags = '', maxLength = 2000): RE2 {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new InvalidPatternError(pattern, 'empty pattern');
  }
  if (pattern.length > maxLength) {
    throw new InvalidPatternError(
      pattern.slice(0, 80),
      `longer than ${maxLength} characters`,
    );
  }
  try {
    // re2-wasm requires the unicode flag.
    // required at first use: start-up does not pay for the WebAssembly (#15)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const re2 = require('re2-wasm') as typeof import('re2-wasm');
    return new re2.RE2(pattern, `${flags}u`);
  } catch (e) {
    throw new InvalidPatternError(pattern, (e as Error).message);
  }
}
