import { SecretMasker, secretVariants } from './secretMasker';

const SECRET = 'pa$$ w0rd/\'"`$(id)`+é';

/** Whether any printable form of the secret survived masking. */
function leaks(text: string): boolean {
  return secretVariants(SECRET).some(v => text.includes(v));
}

describe('SecretMasker', () => {
  const masker = new SecretMasker([SECRET]);

  it.each([
    ['the value', SECRET],
    ['base64', Buffer.from(SECRET).toString('base64')],
    [
      'base64 without padding',
      Buffer.from(SECRET).toString('base64').replace(/=+$/, ''),
    ],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['base64 after 1 byte', Buffer.from(`x${SECRET}`).toString('base64')],
    ['base64 after 2 bytes', Buffer.from(`xy${SECRET}!`).toString('base64')],
    [
      'base64 after 4 bytes, wrapped in more',
      Buffer.from(`abcd${SECRET}tail`).toString('base64'),
    ],
    ['hex', Buffer.from(SECRET).toString('hex')],
    ['HEX', Buffer.from(SECRET).toString('hex').toUpperCase()],
    ['URL encoding', encodeURIComponent(SECRET)],
    [
      'lower-case URL encoding',
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, m => m.toLowerCase()),
    ],
    ['form encoding', new URLSearchParams({ p: SECRET }).toString().slice(2)],
    [
      'strict RFC 3986 encoding (curl, Python quote)',
      [...Buffer.from(SECRET)]
        .map(b =>
          /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) && b < 128
            ? String.fromCharCode(b)
            : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
        )
        .join(''),
    ],
  ])('masks %s and flags it', (_, form) => {
    const out = masker.mask(`token: ${form}\nnext line\n`);
    expect(out.found).toBe(true);
    expect(out.text).toContain('***');
    expect(out.text).not.toContain(form);
    expect(out.text).toContain('next line');
  });

  it('keeps ordinary output as it is, unflagged', () => {
    expect(masker.mask('hello world\n')).toEqual({
      text: 'hello world\n',
      found: false,
    });
  });

  it('never shows part of a secret split across output chunks', () => {
    const b64 = Buffer.from(SECRET).toString('base64');
    for (const form of [SECRET, b64]) {
      const full = `start ${form} end\n`;
      const pieces: string[] = [];
      for (let i = 0; i + 4 <= form.length; i++) {
        const piece = form.slice(i, i + 4);
        if (!'start end'.includes(piece)) pieces.push(piece);
      }
      // every moment while the output grows, byte by byte
      let shown = '';
      for (let n = 1; n <= full.length; n++) {
        const { text } = masker.mask(full.slice(0, n), false);
        // what was shown before is never taken back or changed
        expect(text.startsWith(shown)).toBe(true);
        shown = text;
        // and no 4-character piece of the secret form is ever visible
        expect(pieces.filter(p => text.includes(p))).toEqual([]);
      }
      expect(masker.mask(full, true).text).toBe('start *** end\n');
    }
  });

  it('shows a held-back end once the output is complete', () => {
    // "pa" could begin the secret while output goes on; at the end it is text
    expect(masker.mask('price: pa', false).text).toBe('price: ');
    expect(masker.mask('price: pa', true).text).toBe('price: pa');
  });

  it('masks every secret of a run, and nothing without secrets', () => {
    const two = new SecretMasker([SECRET, 'second-secret']);
    const out = two.mask(
      `${SECRET} and ${Buffer.from('second-secret').toString('hex')}`,
    );
    expect(out.text).toBe('*** and ***');
    expect(leaks(out.text)).toBe(false);
    expect(new SecretMasker([]).mask(SECRET)).toEqual({
      text: SECRET,
      found: false,
    });
  });
});
