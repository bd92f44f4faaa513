/**
 * PostgreSQL's lexical rules, as far as statement boundaries and clause
 * keywords need them (standard_conforming_strings on, which opsdeck sets on
 * every session): '' strings (a doubled quote is the only escape), E''
 * strings (backslash escapes), U&'' / B'' / X'' / N'' strings, "" and U&""
 * identifiers, $tag$ dollar quoting (not after an identifier character:
 * `a$b$` is one identifier), -- and nested /* *\/ comments.
 *
 * This scanner never decides what runs: every piece it cuts is parsed by
 * PostgreSQL's own parser (libpg-query), which must find exactly one
 * statement in it, or the script is parsed whole (see pgParser.ts).
 */

/** A token outside strings and comments that statement splitting and clause finding need. */
export interface PgToken {
  kind: 'word' | 'punct' | 'literal' | 'ident';
  /** Upper-cased for words; the character for punctuation. */
  text: string;
  start: number;
  end: number;
  /** Parenthesis depth at the token. */
  depth: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function endOfQuoted(
  sql: string,
  from: number,
  quote: string,
  backslash: boolean,
) {
  let j = from;
  while (j < sql.length) {
    const c = sql[j];
    if (backslash && c === '\\') {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return -1;
}

function endOfBlockComment(sql: string, from: number) {
  let depth = 1;
  let j = from + 2;
  while (j < sql.length) {
    if (sql[j] === '/' && sql[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (sql[j] === '*' && sql[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  return -1;
}

/**
 * Calls `onToken` for every word, quoted identifier, literal and punctuation
 * character. Returns false when the text ends inside a string, identifier,
 * dollar quote or comment (the parser will say why).
 */
export function scanPg(sql: string, onToken: (t: PgToken) => void): boolean {
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = endOfBlockComment(sql, i);
      if (end < 0) return false;
      i = end;
      continue;
    }
    if (c === "'") {
      const end = endOfQuoted(sql, i + 1, "'", false);
      if (end < 0) return false;
      onToken({ kind: 'literal', text: "'", start: i, end, depth });
      i = end;
      continue;
    }
    if (c === '"') {
      const end = endOfQuoted(sql, i + 1, '"', false);
      if (end < 0) return false;
      onToken({ kind: 'ident', text: sql.slice(i, end), start: i, end, depth });
      i = end;
      continue;
    }
    if (c === '$') {
      const prevIdent = i > 0 && IDENT_CHAR.test(sql[i - 1]);
      DOLLAR_TAG.lastIndex = i;
      const tag = prevIdent ? null : DOLLAR_TAG.exec(sql);
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) return false;
        const end = close + tag[0].length;
        onToken({ kind: 'literal', text: '$', start: i, end, depth });
        i = end;
        continue;
      }
      // $1 parameters and stray dollars: punctuation
      onToken({ kind: 'punct', text: '$', start: i, end: i + 1, depth });
      i++;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(sql[j])) j++;
      const word = sql.slice(i, j);
      const upper = word.toUpperCase();
      // string and identifier prefixes: E'..', U&'..', U&"..", B'..', X'..', N'..'
      if (sql[j] === "'" && j - i === 1 && 'EBXN'.includes(upper)) {
        const end = endOfQuoted(sql, j + 1, "'", upper === 'E');
        if (end < 0) return false;
        onToken({ kind: 'literal', text: "'", start: i, end, depth });
        i = end;
        continue;
      }
      if (
        upper === 'U' &&
        sql[j] === '&' &&
        (sql[j + 1] === "'" || sql[j + 1] === '"')
      ) {
        const quote = sql[j + 1];
        const end = endOfQuoted(sql, j + 2, quote, false);
        if (end < 0) return false;
        onToken({
          kind: quote === "'" ? 'literal' : 'ident',
          text: sql.slice(i, end),
          start: i,
          end,
          depth,
        });
        i = end;
        continue;
      }
      onToken({ kind: 'word', text: upper, start: i, end: j, depth });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j])) j++;
      onToken({ kind: 'literal', text: '0', start: i, end: j, depth });
      i = j;
      continue;
    }
    if (c === '(') {
      onToken({ kind: 'punct', text: c, start: i, end: i + 1, depth });
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      depth = Math.max(0, depth - 1);
      onToken({ kind: 'punct', text: c, start: i, end: i + 1, depth });
      i++;
      continue;
    }
    onToken({ kind: 'punct', text: c, start: i, end: i + 1, depth });
    i++;
  }
  return true;
}

/** A piece of a script between top-level semicolons. */
export interface PgChunk {
  /** Text without the `;`, trimmed. */
  text: string;
  /** Offset of `text` in the script. */
  start: number;
  /** 1-based line of `text`'s first character. */
  line: number;
  /** The piece has no token (only whitespace and comments). */
  empty: boolean;
}

/**
 * Cuts a script at top-level `;`. A piece the scanner could not finish
 * (unterminated quote or comment) runs to the end of the script.
 */
export function splitPg(script: string): PgChunk[] {
  const cuts: { from: number; to: number; tokens: number }[] = [];
  let from = 0;
  let tokens = 0;
  const complete = scanPg(script, t => {
    if (t.kind === 'punct' && t.text === ';' && t.depth === 0) {
      cuts.push({ from, to: t.start, tokens });
      from = t.end;
      tokens = 0;
    } else tokens++;
  });
  cuts.push({ from, to: script.length, tokens: complete ? tokens : 1 });
  let line = 1;
  let counted = 0;
  const lineAt = (offset: number) => {
    for (; counted < offset; counted++) if (script[counted] === '\n') line++;
    return line;
  };
  return cuts.map(c => {
    const raw = script.slice(c.from, c.to);
    const lead = raw.length - raw.trimStart().length;
    return {
      text: raw.trim(),
      start: c.from + lead,
      line: lineAt(c.from + lead),
      empty: c.tokens === 0,
    };
  });
}

/** The tokens of one statement. */
export function pgTokens(sql: string): PgToken[] {
  const out: PgToken[] = [];
  scanPg(sql, t => out.push(t));
  return out;
}
