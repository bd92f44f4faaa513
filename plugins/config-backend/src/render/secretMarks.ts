import { createHash, randomBytes } from 'node:crypto';
import { SECRET_MASK } from './secrets';

/**
 * A vault secret pushed into a file, as the drift baseline keeps it: its
 * length and a salted sha256 (the secret itself is never stored).
 */
export type SecretMark = { salt: string; length: number; sha256: string };

/** What a live line where a pushed secret stood shows when it holds another value. */
export const EDITED_MASK = '••••(edited)';

const digest = (salt: string, text: string) =>
  createHash('sha256').update(salt).update(text).digest('hex');

/** The marks of the secrets pushed into a file (empty ones skipped). */
export function secretMarks(secrets: Iterable<string>): SecretMark[] {
  return [...new Set(secrets)]
    .filter(s => s.length > 0)
    .map(secret => {
      const salt = randomBytes(16).toString('hex');
      return { salt, length: secret.length, sha256: digest(salt, secret) };
    });
}

/**
 * `text` with every span that is one of the marked secrets replaced by the
 * mask, wherever it stands (each span of a mark's length is hashed with
 * its salt; longest marks first).
 */
export function maskMarked(text: string, marks: SecretMark[]): string {
  let out = text;
  for (const mark of [...marks].sort((a, b) => b.length - a.length)) {
    let masked = '';
    let i = 0;
    let from = 0;
    while (i + mark.length <= out.length) {
      if (digest(mark.salt, out.slice(i, i + mark.length)) === mark.sha256) {
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

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
    .map(line => ({
      re: new RegExp(
        `^${line.split(SECRET_MASK).map(escapeRe).join('[\\s\\S]*')}$`,
      ),
      line,
    }));
  if (patterns.length === 0) return exact;
  return exact
    .split('\n')
    .map(l => {
      if (l.includes(SECRET_MASK)) return l;
      const hit = patterns.find(p => p.re.test(l));
      return hit ? hit.line.split(SECRET_MASK).join(EDITED_MASK) : l;
    })
    .join('\n');
}
