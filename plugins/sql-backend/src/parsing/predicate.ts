import { pgNode, rangeVarTable } from './pgTree';
import { pgTokens } from './pgLexer';
import { charOffset, parsePgStatement } from './pgParser';
import { renderTokens } from './mysqlLexer';
import { mysqlTokens, parseMysqlScript } from './mysqlParser';
import type {
  MysqlLexicalMode,
  ParsedStatement,
  SqlEngine,
  TableRef,
} from './types';

/**
 * The table and WHERE of a single-table UPDATE/DELETE, and queries over
 * the same rows. The WHERE is cut from the statement's own text and every
 * query built with it is parsed again: it is used only when the parser finds
 * exactly the statement's predicate in it (so a comment, quote or
 * executable comment in the WHERE cannot make it mean something else).
 */
export interface RowPredicate {
  table: TableRef;
  /** The table as SQL (quoted, with ONLY and the alias when the statement has them). */
  relation: string;
  /**
   * `SELECT <what> FROM <relation> WHERE <the predicate>` + suffix, checked:
   * it throws when the parser does not find the same predicate in it.
   */
  query(what: '*' | '1', suffix: '' | 'FOR UPDATE'): Promise<string>;
}

const quotePg = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteMy = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** A tree without the positions of its nodes (they differ between two texts). */
function withoutLocations(node: any): any {
  if (Array.isArray(node)) return node.map(withoutLocations);
  if (node && typeof node === 'object') {
    const out: any = {};
    for (const key of Object.keys(node)) {
      if (key !== 'location') out[key] = withoutLocations(node[key]);
    }
    return out;
  }
  return node;
}

const same = (a: any, b: any) =>
  JSON.stringify(withoutLocations(a)) === JSON.stringify(withoutLocations(b));

class PredicateMismatch extends Error {}

/** The one UPDATE/DELETE node of a PostgreSQL statement (itself or its only write in WITH). */
function pgWrite(ast: any): [string, any] | undefined {
  const top = pgNode(ast);
  if (!top) return undefined;
  const writes: [string, any][] = [];
  if (top[0] === 'UpdateStmt' || top[0] === 'DeleteStmt') writes.push(top);
  for (const cte of top[1].withClause?.ctes ?? []) {
    const inner = pgNode(cte.CommonTableExpr?.ctequery);
    if (
      inner &&
      ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'].includes(inner[0])
    ) {
      writes.push(inner);
    }
  }
  return writes.length === 1 &&
    ['UpdateStmt', 'DeleteStmt'].includes(writes[0][0])
    ? writes[0]
    : undefined;
}

function pgPredicate(statement: ParsedStatement): RowPredicate | undefined {
  const write = pgWrite(statement.ast);
  if (!write) return undefined;
  const [, b] = write;
  const table = rangeVarTable(b.relation);
  if (!table || !b.whereClause || b.fromClause?.length || b.usingClause?.length)
    return undefined;
  const sql = statement.sql;
  const tokens = pgTokens(sql);
  const relAt = charOffset(sql, b.relation.location ?? 0);
  const relIndex = tokens.findIndex(t => t.start >= relAt);
  if (relIndex < 0) return undefined;
  const depth = tokens[relIndex].depth;
  const whereIndex = tokens.findIndex(
    (t, i) =>
      i > relIndex &&
      t.depth === depth &&
      t.kind === 'word' &&
      t.text === 'WHERE',
  );
  if (whereIndex < 0) return undefined;
  const stop = tokens.findIndex(
    (t, i) =>
      i > whereIndex &&
      ((t.depth === depth && t.kind === 'word' && t.text === 'RETURNING') ||
        (t.kind === 'punct' && t.text === ')' && t.depth < depth)),
  );
  const where = sql
    .slice(tokens[whereIndex].end, stop < 0 ? sql.length : tokens[stop].start)
    .trim();
  const relation = `${
    b.relation.inh === false || b.relation.inh === undefined ? 'ONLY ' : ''
  }${table.schema ? `${quotePg(table.schema)}.` : ''}${quotePg(table.name)}${
    table.alias ? ` AS ${quotePg(table.alias)}` : ''
  }`;
  return {
    table,
    relation,
    async query(what, suffix) {
      // a newline ends a -- comment the WHERE may end with
      const text =
        `SELECT ${what} FROM ${relation} WHERE ${where}\n${suffix}`.trim();
      const parsed = pgNode(await parsePgStatement(text));
      if (
        !parsed ||
        parsed[0] !== 'SelectStmt' ||
        !same(parsed[1].whereClause, b.whereClause) ||
        parsed[1].fromClause?.length !== 1 ||
        (suffix
          ? parsed[1].lockingClause?.length !== 1
          : parsed[1].lockingClause)
      ) {
        throw new PredicateMismatch(
          'The WHERE clause could not be reused exactly for the row backup',
        );
      }
      return text;
    },
  };
}

function myPredicate(
  statement: ParsedStatement,
  mode: MysqlLexicalMode,
): RowPredicate | undefined {
  const ast = statement.ast;
  if (!ast || (ast.type !== 'update' && ast.type !== 'delete') || !ast.where)
    return undefined;
  const targets: any[] = Array.isArray(ast.table) ? ast.table : [ast.table];
  const from: any[] = Array.isArray(ast.from) ? ast.from : [];
  if (
    targets.length !== 1 ||
    targets[0]?.join ||
    from.length > 1 ||
    from.some(f => f.join)
  ) {
    return undefined;
  }
  const t = targets[0];
  const table: TableRef = {
    schema: t.db ?? undefined,
    name: t.table,
    alias: t.as ?? undefined,
  };
  const tokens = mysqlTokens(statement.sql, mode);
  const whereIndex = tokens.findIndex(
    x => x.depth === 0 && x.kind === 'word' && x.value === 'WHERE',
  );
  if (whereIndex < 0) return undefined;
  const stop = tokens.findIndex(
    (x, i) =>
      i > whereIndex &&
      x.depth === 0 &&
      x.kind === 'word' &&
      ['ORDER', 'LIMIT', 'RETURNING'].includes(x.value),
  );
  const where = renderTokens(
    tokens.slice(whereIndex + 1, stop < 0 ? tokens.length : stop),
    'raw',
  );
  const relation = `${table.schema ? `${quoteMy(table.schema)}.` : ''}${quoteMy(
    table.name,
  )}${table.alias ? ` AS ${quoteMy(table.alias)}` : ''}`;
  return {
    table,
    relation,
    async query(what, suffix) {
      const text = `SELECT ${what} FROM ${relation} WHERE ${where}${
        suffix ? ` ${suffix}` : ''
      }`;
      const parsed = parseMysqlScript(text, mode);
      const q = parsed[0]?.ast;
      if (
        parsed.length !== 1 ||
        !q ||
        q.type !== 'select' ||
        JSON.stringify(q.where) !== JSON.stringify(ast.where) ||
        q.from?.length !== 1 ||
        (suffix ? q.locking_read !== 'FOR UPDATE' : q.locking_read) ||
        q.into?.position
      ) {
        throw new PredicateMismatch(
          'The WHERE clause could not be reused exactly for the row backup',
        );
      }
      return text;
    },
  };
}

/**
 * The row predicate of a single-table UPDATE/DELETE (PostgreSQL: also the
 * only write inside a WITH), or undefined for other statements.
 */
export function rowPredicate(
  engine: SqlEngine,
  statement: ParsedStatement,
  mode: MysqlLexicalMode,
): RowPredicate | undefined {
  return engine === 'postgresql'
    ? pgPredicate(statement)
    : myPredicate(statement, mode);
}
