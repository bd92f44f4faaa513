import { createHash, randomBytes } from 'node:crypto';
import { matchesMasked, SECRET_MASK } from './secrets';

/**
 * A vault secret pushed into a file, as the drift baseline keeps it: its
 * length and a salted sha256 (the secret itself is never stored), and a
 * 32-bit polynomial fingerprint with a random base (`roll`) that finds the
 * spans worth hashing in one pass (marks from before it: every span).
 */
export type SecretMark = {
  salt: string;
  length: number;
  sha256: string;
  roll?: { base: number; hash: number };
};

/** What a live line where a pushed secret stood shows when it holds another value. */
export const EDITED_MASK = '••••(edited)';

const digest = (salt: string, text: string) =>
  createHash('sha256').update(salt).update(text).digest('hex');

/** The polynomial fingerprint (mod 2^32) of `text` in `base`. */
function fingerprint(text: string, base: number): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) {
    h = (Math.imul(h, base) + text.charCodeAt(i)) | 0;
  }
  return h >>> 0;
}

/** The offsets of `text` where a span of the mark's length has its fingerprint. */
function candidates(
  text: string,
  roll: { base: number; hash: number },
  length: number,
): Set<number> {
  const out = new Set<number>();
  if (length > text.length) return out;
  // base^(length-1): what the leaving character weighs
  let top = 1;
  for (let i = 1; i < length; i++) top = Math.imul(top, roll.base);
  let h = 0;
  for (let i = 0; i < length; i++) {
    h = (Math.imul(h, roll.base) + text.charCodeAt(i)) | 0;
  }
  for (let i = 0; ; i++) {
    if (h >>> 0 === roll.hash) out.add(i);
    if (i + length >= text.length) return out;
    h =
      (Math.imul((h - Math.imul(text.charCodeAt(i), top)) | 0, roll.base) +
        text.charCodeAt(i + length)) |
      0;
  }
}

/** The marks of the secrets pushed into a file (empty ones skipped). */
export function secretMarks(secrets: Iterable<string>): SecretMark[] {
  return [...new Set(secrets)]
    .filter(s => s.length > 0)
    .map(secret => {
      const salt = randomBytes(16).toString('hex');
      // an odd random base: a span's fingerprint equal to the secret's is
      // then rare by chance, and sha256 confirms each one
      const base = (randomBytes(4).readUInt32BE(0) | 1) >>> 0;
      return {
        salt,
        length: secret.length,
        sha256: digest(salt, secret),
        roll: { base, hash: fingerprint(secret, base) },
      };
    });
}

/**
 * `text` with every span that is one of the marked secrets replaced by the
 * mask, wherever it stands (each span of a mark's length whose fingerprint
 * is the mark's is hashed with its salt; longest marks first).
 */
export function maskMarked(text: string, marks: SecretMark[]): string {
  let out = text;
  for (const mark of [...marks].sort((a, b) => b.length - a.length)) {
    const worth = mark.roll
      ? candidates(out, mark.roll, mark.length)
      : undefined;
    let masked = '';
    let i = 0;
    let from = 0;
    while (i + mark.length <= out.length) {
      if (
        (!worth || worth.has(i)) &&
        digest(mark.salt, out.slice(i, i + mark.length)) === mark.sha256
      ) {
        masked += `${out.slice(from, i)}${SECRET_MASK}`;
        i += mark.length;
        from = i;
      } else {
        i++;
      }
    }
    out = masked + out.slice(from);
  }
  return out;
}

/**
 * A drifted live file as the drift view shows it, from the baseline's
 * marks: each pushed secret masked wherever it stands, and a line that
 * stands where a secret was pushed (it matches a masked line of `baseline`)
 * but no longer holds it shows that line with {@link EDITED_MASK}: the
 * diff shows the hand edit without the value typed there.
 */
export function maskDrift(
  live: string,
  baseline: string,
  marks: SecretMark[],
): string {
  const exact = maskMarked(live, marks);
  // only lines with a key before the secret (`requirepass ••••`): a line
  // that is all secret, or starts with it, would match any line
  const patterns = baseline
    .split('\n')
    .filter(l => l.includes(SECRET_MASK) && l.split(SECRET_MASK)[0].trim())
    .map(line => ({ parts: line.split(SECRET_MASK), line }));
  if (patterns.length === 0) return exact;
  return exact
    .split('\n')
    .map(l => {
      if (l.includes(SECRET_MASK)) return l;
      const hit = patterns.find(p => matchesMasked(l, p.parts));
      return hit ? hit.line.split(SECRET_MASK).join(EDITED_MASK) : l;
    })
    .join('\n');
}
