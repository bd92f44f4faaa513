import type { MysqlLexicalMode } from './types';

/**
 * The MySQL/MariaDB server's lexical rules, followed exactly where they
 * decide what is code: strings ('...', and "..." unless ANSI_QUOTES) with
 * backslash escapes unless NO_BACKSLASH_ESCAPES, `...` identifiers (and
 * "..." with ANSI_QUOTES) without backslash escapes, `#` and `-- ` comments
 * (`--` needs a space or control character after it), /* *\/ comments and
 * the executable comments the server runs as code: `/*! ... *\/`,
 * `/*!NNNNN ... *\/` when the server's version is at least NNNNN (MariaDB
 * skips MySQL-only 50700-99999) and MariaDB's `/*M!NNNNNN ... *\/`.
 *
 * Text the rules leave ambiguous (a comment inside a comment, a `;` inside
 * an executable comment, a 6-digit version on MySQL) is an error: opsdeck
 * refuses what it cannot read the way the server does.
 */

/** A token of the server's view of the text. */
export interface MyToken {
  kind: 'word' | 'number' | 'string' | 'ident' | 'var' | 'punct';
  /** The token as written (valid for the server in the same sql_mode). */
  raw: string;
  /** Words upper-cased; strings and identifiers: their content. */
  value: string;
  /** The token as node-sql-parser reads it (standard quoting). */
  canon: string;
  /** Position in the original text. */
  start: number;
  end: number;
  /** Parenthesis depth at the token. */
  depth: number;
  /** Whitespace or a comment came before it. */
  spaced: boolean;
}

/** One statement of a script as the server reads it. */
export interface MyStatement {
  /** Original text, without the `;`, trimmed. */
  text: string;
  start: number;
  line: number;
  tokens: MyToken[];
  /** Why the text cannot be read unambiguously. */
  error?: string;
}

/** Character sets, for `_charset'...'` introducers. */
const CHARSETS = new Set(
  'armscii8 ascii big5 binary cp1250 cp1251 cp1256 cp1257 cp850 cp852 cp866 cp932 dec8 eucjpms euckr gb18030 gb2312 gbk geostd8 greek hebrew hp8 keybcs2 koi8r koi8u latin1 latin2 latin5 latin7 macce macroman sjis swe7 tis620 ucs2 ujis utf16 utf16le utf32 utf8 utf8mb3 utf8mb4'.split(
    ' ',
  ),
);

const WORD_START = /[A-Za-z0-9_$\u0080-\uffff]/;
const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

class LexError extends Error {}

/** node-sql-parser's single-quoted form of a string's content. */
function quoteForParser(content: string): string {
  return `'${content.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Decodes a MySQL string body: doubled delimiters and (unless off) backslash escapes. */
function decodeString(
  body: string,
  delimiter: string,
  backslashEscapes: boolean,
): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (backslashEscapes && c === '\\' && i + 1 < body.length) {
      const e = body[++i];
      const map: Record<string, string> = {
        '0': '\0',
        b: '\b',
        n: '\n',
        r: '\r',
        t: '\t',
        Z: '\x1a',
      };
      // \% and \_ keep their backslash (LIKE patterns)
      if (e === '%' || e === '_') out += `\\${e}`;
      else out += map[e] ?? e;
      continue;
    }
    if (c === delimiter && body[i + 1] === delimiter) i++;
    out += c;
  }
  return out;
}

function lineOf(text: string, offset: number, from = { at: 0, line: 1 }) {
  for (; from.at < offset; from.at++) if (text[from.at] === '\n') from.line++;
  return from.line;
}

/**
 * Splits a script into statements and tokenises each the way the server
 * with `mode` would. Statements end at `;` (the server runs one statement
 * per call, so a `;` inside a statement is never code).
 */
export function lexMysql(
  script: string,
  mode: MysqlLexicalMode,
): MyStatement[] {
  const out: MyStatement[] = [];
  const n = script.length;
  let i = 0;
  let depth = 0;
  let tokens: MyToken[] = [];
  let stmtStart = 0;
  let spaced = false;
  /** Inside an executable comment (its `*\/` ends it). */
  let inExec = false;
  let error: string | undefined;
  const lines = { at: 0, line: 1 };

  const push = (
    kind: MyToken['kind'],
    start: number,
    end: number,
    value: string,
    canon: string,
  ) => {
    tokens.push({
      kind,
      raw: script.slice(start, end),
      value,
      canon,
      start,
      end,
      depth,
      spaced,
    });
    spaced = false;
  };
  const finish = (end: number) => {
    const raw = script.slice(stmtStart, end);
    const lead = raw.length - raw.trimStart().length;
    if (tokens.length > 0 || error) {
      out.push({
        text: raw.trim(),
        start: stmtStart + lead,
        line: lineOf(script, stmtStart + lead, lines),
        tokens,
        error,
      });
    }
    tokens = [];
    error = undefined;
    depth = 0;
    spaced = false;
  };

  const endOfQuoted = (from: number, quote: string, backslash: boolean) => {
    let j = from;
    while (j < n) {
      const c = script[j];
      if (backslash && c === '\\') {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (script[j + 1] === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    throw new LexError(
      `unterminated ${quote === '`' ? 'identifier' : 'string'}`,
    );
  };

  /** Skips a plain comment body after `/*`; a nested `/*` is refused. */
  const skipComment = (from: number) => {
    const end = script.indexOf('*/', from);
    if (end < 0) throw new LexError('unterminated comment');
    if (script.slice(from, end).includes('/*')) {
      throw new LexError('a comment inside a comment');
    }
    return end + 2;
  };

  const stringToken = (start: number, quote: string) => {
    const backslash = !mode.noBackslashEscapes;
    const end = endOfQuoted(start + 1, quote, backslash);
    const value = decodeString(
      script.slice(start + 1, end - 1),
      quote,
      backslash,
    );
    push('string', start, end, value, quoteForParser(value));
    return end;
  };

  const identToken = (start: number, quote: string) => {
    const end = endOfQuoted(start + 1, quote, false);
    const value = script
      .slice(start + 1, end - 1)
      .split(quote + quote)
      .join(quote);
    push('ident', start, end, value, `\`${value.replace(/`/g, '``')}\``);
    return end;
  };

  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    try {
      if (
        c === ' ' ||
        c === '\t' ||
        c === '\n' ||
        c === '\r' ||
        c === '\f' ||
        c === '\v'
      ) {
        spaced = true;
        i++;
        continue;
      }
      if (
        c === '#' ||
        (c === '-' &&
          next === '-' &&
          (i + 2 >= n ||
            script.charCodeAt(i + 2) <= 32 ||
            script.charCodeAt(i + 2) === 127))
      ) {
        const end = script.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
        spaced = true;
        continue;
      }
      if (inExec && c === '*' && next === '/') {
        inExec = false;
        spaced = true;
        i += 2;
        continue;
      }
      if (c === '/' && next === '*') {
        if (inExec)
          throw new LexError('a comment inside an executable comment');
        spaced = true;
        const mariaMark = script[i + 2] === 'M' && script[i + 3] === '!';
        if (script[i + 2] === '!' || mariaMark) {
          if (mariaMark && mode.flavor !== 'mariadb') {
            i = skipComment(i + 2);
            continue;
          }
          let j = i + (mariaMark ? 4 : 3);
          const digits = /^\d{5,6}/.exec(script.slice(j, j + 7))?.[0];
          let run = true;
          if (digits) {
            if (digits.length === 6 && mode.flavor === 'mysql') {
              throw new LexError('a 6-digit version in an executable comment');
            }
            const version = Number(digits);
            run =
              version <= mode.versionId &&
              (mode.flavor === 'mysql' ||
                mariaMark ||
                version < 50700 ||
                version > 99999);
            j += digits.length;
          }
          if (!run) {
            i = skipComment(j);
            continue;
          }
          inExec = true;
          i = j;
          continue;
        }
        i = skipComment(i + 2);
        continue;
      }
      if (c === ';') {
        if (inExec) throw new LexError('a ; inside an executable comment');
        finish(i);
        i++;
        stmtStart = i;
        continue;
      }
      if (c === "'" || (c === '"' && !mode.ansiQuotes)) {
        i = stringToken(i, c);
        continue;
      }
      if (c === '`' || (c === '"' && mode.ansiQuotes)) {
        i = identToken(i, c);
        continue;
      }
      if (c === '@') {
        // @var, @'var', @`var`, @"var", @@system.var
        let j = i + 1;
        if (script[j] === '@') j++;
        const q = script[j];
        if (q === "'" || q === '"' || q === '`') {
          const end = endOfQuoted(
            j + 1,
            q,
            q !== '`' && !mode.noBackslashEscapes,
          );
          const name = script.slice(j + 1, end - 1);
          if (!/^[A-Za-z0-9_$.]+$/.test(name)) {
            throw new LexError('a quoted variable name the review cannot read');
          }
          push(
            'var',
            i,
            end,
            script.slice(i, j) + name,
            script.slice(i, j) + name,
          );
          i = end;
          continue;
        }
        while (j < n && /[A-Za-z0-9_$.]/.test(script[j])) j++;
        push('var', i, j, script.slice(i, j), script.slice(i, j));
        i = j;
        continue;
      }
      if (c === '\\' && next === 'N' && !WORD_CHAR.test(script[i + 2] ?? '')) {
        push('word', i, i + 2, 'NULL', 'NULL');
        i += 2;
        continue;
      }
      if (WORD_START.test(c)) {
        // hex and bit strings: X'..', B'..' (no escapes)
        if (/[xXbB]/.test(c) && next === "'") {
          const end = script.indexOf("'", i + 2);
          if (end < 0) throw new LexError('unterminated string');
          push(
            'string',
            i,
            end + 1,
            script.slice(i + 2, end),
            script.slice(i, end + 1),
          );
          i = end + 1;
          continue;
        }
        if (/[nN]/.test(c) && next === "'") {
          // national string: the string with its prefix
          const end = stringToken(i + 1, "'");
          const t = tokens[tokens.length - 1];
          t.start = i;
          t.raw = script.slice(i, end);
          t.canon = `N${t.canon}`;
          i = end;
          continue;
        }
        let j = i + 1;
        while (j < n && WORD_CHAR.test(script[j])) j++;
        // decimals: 1.5, 10.
        if (/^\d+$/.test(script.slice(i, j)) && script[j] === '.') {
          j++;
          while (j < n && /\d/.test(script[j])) j++;
          if (/[eE]/.test(script[j] ?? '')) j++;
        }
        // exponents: 1e-5, 1.5E+3
        if (
          /^\d+(?:\.\d*)?[eE]$/.test(script.slice(i, j)) &&
          /[+-]/.test(script[j] ?? '') &&
          /\d/.test(script[j + 1] ?? '')
        ) {
          j += 2;
          while (j < n && /\d/.test(script[j])) j++;
        }
        const word = script.slice(i, j);
        if (
          /^\d/.test(word) &&
          /^(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|0x[0-9a-fA-F]+|0b[01]+)$/.test(
            word,
          )
        ) {
          push('number', i, j, word, word);
        } else {
          push(
            'word',
            i,
            j,
            word.toUpperCase(),
            /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)
              ? word
              : `\`${word.replace(/`/g, '``')}\``,
          );
        }
        i = j;
        continue;
      }
      if (
        c === '.' &&
        /\d/.test(next ?? '') &&
        !WORD_CHAR.test(script[i - 1] ?? ' ')
      ) {
        let j = i + 1;
        while (j < n && /[0-9eE]/.test(script[j])) j++;
        push('number', i, j, script.slice(i, j), script.slice(i, j));
        i = j;
        continue;
      }
      if (c === '(') {
        push('punct', i, i + 1, c, c);
        depth++;
        i++;
        continue;
      }
      if (c === ')') {
        depth = Math.max(0, depth - 1);
        push('punct', i, i + 1, c, c);
        i++;
        continue;
      }
      push('punct', i, i + 1, c, c);
      i++;
    } catch (e) {
      if (!(e instanceof LexError)) throw e;
      // the rest of the script is one unreadable statement
      error = e.message;
      inExec = false;
      finish(n);
      return out;
    }
  }
  if (inExec) error = 'unterminated executable comment';
  finish(n);
  return out;
}

/**
 * Text of tokens as one of the two renderings: `raw` for the server (same
 * sql_mode), `canon` for node-sql-parser. Comments become single spaces;
 * adjacent string literals are one string for the parser, as for the server;
 * a character-set introducer (`_utf8mb4'x'`) is left out for the parser.
 */
export function renderTokens(tokens: MyToken[], as: 'raw' | 'canon'): string {
  let out = '';
  let carry = false;
  for (let k = 0; k < tokens.length; k++) {
    const t: MyToken = { ...tokens[k], spaced: tokens[k].spaced || carry };
    carry = false;
    if (as === 'canon') {
      if (
        t.kind === 'word' &&
        CHARSETS.has(t.value.slice(1).toLowerCase()) &&
        t.value.startsWith('_') &&
        tokens[k + 1]?.kind === 'string'
      ) {
        carry = t.spaced;
        continue;
      }
      if (t.kind === 'string' && !/^[xXbB]'/.test(t.raw)) {
        let value = t.value;
        while (
          tokens[k + 1]?.kind === 'string' &&
          !/^[xXbBnN]'/.test(tokens[k + 1].raw)
        ) {
          value += tokens[++k].value;
        }
        const national = /^[nN]'/.test(t.raw) ? 'N' : '';
        out += `${out && t.spaced ? ' ' : ''}${national}${quoteForParser(
          value,
        )}`;
        continue;
      }
    }
    out += `${out && t.spaced ? ' ' : ''}${as === 'raw' ? t.raw : t.canon}`;
  }
  return out;
}
