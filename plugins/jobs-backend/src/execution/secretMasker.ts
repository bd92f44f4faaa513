/** What a masked secret is replaced with. */
export const SECRET_MASK = '***';

/** Shorter encodings are not masked (they would hide ordinary text). */
const MIN_VARIANT_LENGTH = 4;

/**
 * The parts of base64 encodings of `value` that depend on `value` alone: a
 * secret inside a longer base64 stream is encoded differently depending on
 * its byte offset modulo 3, so all three alignments are covered (standard
 * and URL alphabets), without the characters shared with the bytes around
 * it.
 */
function base64Variants(value: Buffer): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), value]).toString(
      'base64',
    );
    // characters holding bits of the leading filler, and a trailing
    // character holding bits of whatever follows
    const start = Math.ceil((shift * 8) / 6);
    const end = Math.floor(((shift + value.length) * 8) / 6);
    const core = encoded.slice(start, end);
    out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
    if (shift === 0) out.push(encoded, encoded.replace(/=+$/, ''));
  }
  return out;
}

/** Percent-encoding of `value` leaving `keep` characters as they are. */
function percentEncode(value: Buffer, keep: RegExp): string {
  let out = '';
  for (const byte of value) {
    const c = String.fromCharCode(byte);
    out +=
      byte < 0x80 && keep.test(c)
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * URL encodings as common tools write them: RFC 3986 strict (curl
 * --data-urlencode, Python quote(safe='')), Python's default (keeps /),
 * JavaScript's encodeURIComponent (keeps !'()*), each also with + for space
 * (form encoding) and with lower-case hex.
 */
function urlVariants(value: Buffer): string[] {
  const out: string[] = [];
  for (const keep of [
    /[A-Za-z0-9\-._~]/,
    /[A-Za-z0-9\-._~/]/,
    /[A-Za-z0-9\-._~!'()*]/,
    /[A-Za-z0-9\-._*]/, // URLSearchParams / PHP urlencode
  ]) {
    const encoded = percentEncode(value, keep);
    for (const form of [encoded, encoded.replace(/%20/g, '+')]) {
      out.push(
        form,
        form.replace(/%[0-9A-F]{2}/g, m => m.toLowerCase()),
      );
    }
  }
  return out;
}

/** Every form of `secret` that masking hides: the value and its encodings. */
export function secretVariants(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const variants = [
    secret,
    ...base64Variants(bytes),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    ...urlVariants(bytes),
  ];
  return [...new Set(variants)]
    .filter(v => v.length >= MIN_VARIANT_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/**
 * Masks the secret values of a run, and their base64, hex and URL
 * encodings, in output. Output is masked as a whole text (chunks joined), and
 * while it is still growing the end that could be the beginning of a secret
 * is held back, so a secret split across chunks never shows in part.
 */
export class SecretMasker {
  private readonly variants: string[];

  constructor(secrets: string[]) {
    this.variants = [
      ...new Set(secrets.filter(s => s.length > 0).flatMap(secretVariants)),
    ].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.variants.length === 0;
  }

  /**
   * The text with every secret form replaced by `***`, and whether one was
   * there. With `final: false` (more output may follow) the longest end of
   * the text that begins a secret form is left out.
   */
  mask(text: string, final = true): { text: string; found: boolean } {
    if (this.variants.length === 0) return { text, found: false };
    let visible = text;
    if (!final) visible = text.slice(0, text.length - this.heldBack(text));
    let found = false;
    for (const v of this.variants) {
      if (visible.includes(v)) {
        found = true;
        visible = visible.split(v).join(SECRET_MASK);
      }
    }
    return { text: visible, found };
  }

  /** How many characters at the end of `text` could begin a secret form. */
  private heldBack(text: string): number {
    let hold = 0;
    for (const v of this.variants) {
      const longest = Math.min(v.length - 1, text.length);
      for (let n = longest; n > hold; n--) {
        if (text.endsWith(v.slice(0, n))) {
          hold = n;
          break;
        }
      }
    }
    return hold;
  }
}
