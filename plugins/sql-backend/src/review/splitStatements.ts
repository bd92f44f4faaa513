/**
 * A small SQL scanner that knows quotes, comments and PostgreSQL dollar
 * quoting, so `;` inside a string never splits a statement and keywords inside
 * strings or parentheses are not mistaken for clauses. The parser
 * (node-sql-parser) does the real parsing; this only finds boundaries.
 */

/** One statement of a script, with its source text. */
export interface SourceStatement {
  /** Statement text without the trailing `;`, trimmed. */
  sql: string;
  /** 1-based line where it starts. */
  line: number;
}

/**
 * Calls `visit(index, depth)` for every character outside strings, quoted
 * identifiers and comments; `depth` is the parenthesis depth there.
 */
function scan(
  sql: string,
  visit: (i: number, depth: number) => boolean | void,
) {
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      // a doubled quote is an escaped quote; backslash escapes (MySQL) too
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\' && c === "'") {
          j += 2;
          continue;
        }
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? n : end + tag[0].length;
        continue;
      }
    }
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    if (visit(i, depth) === false) return;
    i++;
  }
}

/** Splits a script into statements at top-level `;`. Empty statements are dropped. */
export function splitStatements(script: string): SourceStatement[] {
  const out: SourceStatement[] = [];
  let start = 0;
  // line numbers are counted incrementally: scripts have thousands of statements
  let counted = 0;
  let line = 1;
  const lineAt = (offset: number) => {
    for (; counted < offset; counted++) if (script[counted] === '\n') line++;
    return line;
  };
  const push = (end: number) => {
    const raw = script.slice(start, end);
    const sql = raw.trim();
    if (sql && !isOnlyComments(sql)) {
      const lead = raw.length - raw.trimStart().length;
      out.push({ sql, line: lineAt(start + lead) });
    }
  };
  scan(script, (i, depth) => {
    if (script[i] === ';' && depth === 0) {
      push(i);
      start = i + 1;
    }
  });
  push(script.length);
  return out;
}

function isOnlyComments(sql: string): boolean {
  let code = false;
  scan(sql, i => {
    if (!/\s/.test(sql[i])) {
      code = true;
      return false;
    }
    return undefined;
  });
  return !code;
}

/**
 * The text of a top-level clause: from after `keyword` up to the first
 * top-level keyword of `stops` (or the end). Undefined when the keyword is
 * not there. Used to reuse a DML statement's WHERE predicate verbatim.
 */
export function topLevelClause(
  sql: string,
  keyword: string,
  stops: string[],
): string | undefined {
  const words: { word: string; at: number }[] = [];
  scan(sql, (i, depth) => {
    if (depth !== 0) return;
    const before = i === 0 ? ' ' : sql[i - 1];
    if (/[A-Za-z_]/.test(sql[i]) && !/[A-Za-z0-9_$.]/.test(before)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i, i + 40));
      if (m) words.push({ word: m[0].toUpperCase(), at: i });
    }
  });
  const from = words.find(w => w.word === keyword);
  if (!from) return undefined;
  const stop = words.find(w => w.at > from.at && stops.includes(w.word));
  return sql
    .slice(from.at + keyword.length, stop ? stop.at : sql.length)
    .trim();
}
