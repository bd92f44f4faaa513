import type { TableRef } from './types';

/** Statement kinds opsdeck distinguishes. */
export type StatementKind =
  | 'select'
  | 'insert'
  | 'replace'
  | 'update'
  | 'delete'
  | 'merge'
  | 'create'
  | 'alter'
  | 'drop'
  | 'truncate'
  | 'rename'
  | 'comment'
  | 'other';

export const DDL_KINDS: ReadonlySet<StatementKind> = new Set([
  'create',
  'alter',
  'drop',
  'truncate',
  'rename',
  'comment',
]);
export const DML_KINDS: ReadonlySet<StatementKind> = new Set([
  'insert',
  'replace',
  'update',
  'delete',
  'merge',
]);

/**
 * A small engine-neutral view of an expression, enough to find constant
 * (tautological) predicates and the columns a predicate uses.
 */
export type Expr =
  | { k: 'const'; v: string | number | boolean | null }
  | { k: 'col'; name: string; table?: string }
  | { k: 'op'; op: string; args: Expr[] }
  | { k: 'other'; args: Expr[] };

/** An UPDATE/DELETE/INSERT/MERGE inside a statement (itself, or in a WITH). */
export interface DmlPart {
  verb: 'update' | 'delete' | 'insert' | 'merge';
  /** The table written; undefined for shapes opsdeck cannot name. */
  table?: TableRef;
  /** Joins, FROM/USING lists, MERGE: no row-by-row backup. */
  multiTable: boolean;
  hasWhere: boolean;
  /** Why the WHERE is always true, when it is. */
  tautology?: string;
  /** Columns the WHERE uses. */
  whereColumns: string[];
  /** Inside a WITH of another statement. */
  inCte: boolean;
}

/** A column a CREATE TABLE or ALTER TABLE ADD COLUMN defines. */
export interface ColumnDef {
  name: string;
  hasComment: boolean;
  notNull: boolean;
  hasDefault: boolean;
}

/** What an ALTER TABLE does, as far as the rules look. */
export type AlterAction =
  | { action: 'add-column'; column: ColumnDef }
  | { action: 'set-not-null'; column: string }
  | {
      action: 'type';
      column: string;
      /** The column's name before a MySQL CHANGE. */
      oldColumn?: string;
      dataType: string;
      length?: number;
    }
  | { action: 'drop-column'; column: string };

/** A rule the statement breaks on its own (no instance needed). */
export interface RuleHit {
  rule: string;
  message: string;
}

/** What the review knows of one parsed statement, for both engines. */
export interface StatementFacts {
  kind: StatementKind;
  /** What the statement is, for messages: `UPDATE`, `CREATE INDEX`, `DO`, `GRANT`. */
  verb: string;
  /** Tables it writes or defines. */
  tables: TableRef[];
  dml: DmlPart[];
  /** Functions called anywhere, lower case, without schema. */
  functions: string[];
  selectStar: boolean;
  insertWithoutColumns: boolean;
  /** Engine-specific rules the statement breaks. */
  hits: RuleHit[];
  /** Why it destroys data or structure that cannot be rolled back. */
  destructive?: string;
  createTable?: { table: string; hasPrimaryKey: boolean; columns: ColumnDef[] };
  alter?: AlterAction[];
  /** COMMENT ON COLUMN table.column (PostgreSQL). */
  commentOnColumn?: { table: string; column: string };
  /**
   * Why the query console refuses it beyond the function deny-list;
   * undefined for a plain read (SELECT without INTO, locking or writes).
   */
  notReadOnly?: string;
}

/** Columns used anywhere in an expression. */
export function exprColumns(e: Expr | undefined, out: string[] = []): string[] {
  if (!e) return out;
  if (e.k === 'col') out.push(e.name);
  else if (e.k === 'op' || e.k === 'other')
    e.args.forEach(a => exprColumns(a, out));
  return out;
}

function sameExpr(a: Expr, b: Expr): boolean {
  return JSON.stringify(a) === JSON.stringify(b) && a.k !== 'other';
}

function isConst(e: Expr): e is { k: 'const'; v: any } {
  return e.k === 'const';
}

/** A constant's truth, when it has a fixed one. */
function constTruth(e: Expr): boolean | undefined {
  if (!isConst(e)) return undefined;
  if (typeof e.v === 'boolean') return e.v;
  if (typeof e.v === 'number') return e.v !== 0;
  return undefined;
}

/**
 * Why a predicate is true for every row, or undefined: constants (`1`,
 * `TRUE`, `1 = 1`, `'a' = 'a'`, `1 <> 2`), a column compared with itself
 * (`id = id`), `LIKE '%'`, a constant IN a list holding it, `x IS NULL OR x
 * IS NOT NULL`, an OR with any such branch, an AND of only such terms.
 */
export function tautology(e: Expr | undefined): string | undefined {
  if (!e) return undefined;
  const truth = constTruth(e);
  if (truth === true) return 'the condition is a true constant';
  if (e.k !== 'op') return undefined;
  const [a, b] = e.args;
  switch (e.op) {
    case 'or': {
      for (const arg of e.args) {
        const why = tautology(arg);
        if (why) return why;
      }
      const nulls = e.args.filter(x => x.k === 'op' && x.op === 'is null');
      for (const n of nulls) {
        const col = (n as any).args[0];
        if (
          e.args.some(
            x =>
              x.k === 'op' &&
              x.op === 'is not null' &&
              sameExpr(x.args[0], col),
          )
        ) {
          return 'x IS NULL OR x IS NOT NULL holds for every row';
        }
      }
      return undefined;
    }
    case 'and': {
      const whys = e.args.map(tautology);
      return whys.every(Boolean) ? whys[0] : undefined;
    }
    case 'not':
      return a && contradiction(a) ? 'NOT of a false condition' : undefined;
    case '=':
    case '<=>':
    case '>=':
    case '<=':
      if (
        isConst(a) &&
        isConst(b) &&
        a.v !== null &&
        String(a.v) === String(b.v)
      ) {
        return `${JSON.stringify(a.v)} ${e.op} ${JSON.stringify(
          b.v,
        )} is always true`;
      }
      if (a && b && a.k === 'col' && sameExpr(a, b)) {
        return `${a.name} ${e.op} ${a.name} compares a column with itself`;
      }
      return undefined;
    case '<>':
    case '!=':
      return isConst(a) &&
        isConst(b) &&
        a.v !== null &&
        b.v !== null &&
        String(a.v) !== String(b.v)
        ? `${JSON.stringify(a.v)} ${e.op} ${JSON.stringify(b.v)} is always true`
        : undefined;
    case 'like':
      return isConst(b) && typeof b.v === 'string' && /^%+$/.test(b.v)
        ? `LIKE '${b.v}' matches every value`
        : undefined;
    case 'in':
      return isConst(a) &&
        e.args.slice(1).some(x => isConst(x) && String(x.v) === String(a.v))
        ? `${JSON.stringify(a.v)} IN (...) lists itself`
        : undefined;
    case 'is not null':
      return isConst(a) && a.v !== null ? 'a constant IS NOT NULL' : undefined;
    default:
      return undefined;
  }
}

function contradiction(e: Expr): boolean {
  if (constTruth(e) === false) return true;
  if (e.k === 'op' && (e.op === '<>' || e.op === '!=')) {
    const [a, b] = e.args;
    return isConst(a) && isConst(b) && String(a.v) === String(b.v);
  }
  return false;
}
