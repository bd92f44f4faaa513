import type { ParsedStatement } from './types';
import { splitPg } from './pgLexer';

type PgQuery = typeof import('libpg-query');

let loading: Promise<PgQuery> | undefined;

/**
 * PostgreSQL's own parser (libpg-query: the server's grammar compiled to
 * WebAssembly), loaded on first use so that it costs nothing at start-up.
 */
export function loadPgParser(): Promise<PgQuery> {
  loading ??= (async () => {
    // required here, not imported at the top: loading the WebAssembly takes
    // a third of a second that plugin start-up should not pay
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require('libpg-query') as PgQuery;
    await pg.loadModule();
    return pg;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** The first line of a parser error, e.g. `syntax error at or near "x"`. */
function parseMessage(error: unknown): string {
  return String((error as Error)?.message ?? error)
    .split('\n')[0]
    .slice(0, 300);
}

/** Character offset of a UTF-8 byte offset in `text` (libpg-query counts bytes). */
export function charOffset(text: string, bytes: number): number {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return bytes;
  return Buffer.from(text, 'utf8').subarray(0, bytes).toString('utf8').length;
}

/** UTF-8 byte offset of a character offset. */
export function byteOffset(text: string, chars: number): number {
  return Buffer.byteLength(text.slice(0, chars), 'utf8');
}

function lineOf(script: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (script[i] === '\n') line++;
  return line;
}

/**
 * Splits and parses a PostgreSQL script with PostgreSQL's parser. Every
 * statement comes back with the exact text that is later sent (alone) to
 * the server and the parse tree of that text. The script is cut at
 * top-level semicolons first (fast); each piece must parse as exactly one
 * statement. When a piece does not (a `BEGIN ATOMIC` body, or text the
 * scanner misjudged), the whole script is parsed at once and its statement
 * boundaries are used instead; when that fails too, the pieces that did not
 * parse are errors.
 */
export async function parsePgScript(
  script: string,
): Promise<ParsedStatement[]> {
  const pg = await loadPgParser();
  const out: ParsedStatement[] = [];
  let needWhole = false;
  for (const chunk of splitPg(script)) {
    if (chunk.empty) continue;
    try {
      const { stmts } = pg.parseSync(chunk.text);
      if (stmts.length === 1) {
        out.push({ sql: chunk.text, line: chunk.line, ast: stmts[0].stmt });
        continue;
      }
      if (stmts.length === 0) continue; // only comments
      needWhole = true;
      out.push({
        sql: chunk.text,
        line: chunk.line,
        error: `found ${stmts.length} statements where one was expected`,
      });
    } catch (error) {
      needWhole = true;
      out.push({
        sql: chunk.text,
        line: chunk.line,
        error: parseMessage(error),
      });
    }
  }
  if (!needWhole) return out;
  let whole: ReturnType<PgQuery['parseSync']>;
  try {
    whole = pg.parseSync(script);
  } catch {
    return out;
  }
  const statements: ParsedStatement[] = [];
  for (const s of whole.stmts) {
    const start = charOffset(script, s.stmt_location ?? 0);
    const end =
      s.stmt_len === undefined || s.stmt_len === 0
        ? script.length
        : charOffset(script, (s.stmt_location ?? 0) + s.stmt_len);
    const raw = script.slice(start, end);
    const text = raw.trim();
    const line = lineOf(script, start + raw.length - raw.trimStart().length);
    try {
      // parsed again alone, so locations are relative to the statement
      const alone = pg.parseSync(text).stmts;
      if (alone.length !== 1) throw new Error('not one statement alone');
      statements.push({ sql: text, line, ast: alone[0].stmt });
    } catch (error) {
      statements.push({ sql: text, line, error: parseMessage(error) });
    }
  }
  return statements;
}

/** Parses one statement (already cut); throws unless it is exactly one. */
export async function parsePgStatement(sql: string): Promise<any> {
  const pg = await loadPgParser();
  const { stmts } = pg.parseSync(sql);
  if (stmts.length !== 1) {
    throw new Error(`expected one statement, found ${stmts.length}`);
  }
  return stmts[0].stmt;
}
