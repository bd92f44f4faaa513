import { Parser } from 'node-sql-parser';

/** Engines the review engine understands. */
export type SqlEngine = 'postgresql' | 'mysql';

const DIALECT: Record<SqlEngine, string> = {
  postgresql: 'PostgreSQL',
  mysql: 'MySQL',
};

const parser = new Parser();

/** Parses one statement; throws the parser's error for invalid SQL. */
export function parseStatement(engine: SqlEngine, sql: string): any {
  const ast = parser.astify(sql, { database: DIALECT[engine] });
  const list = Array.isArray(ast) ? ast : [ast];
  if (list.length !== 1) {
    throw new Error(`expected one statement, found ${list.length}`);
  }
  return list[0];
}

/** Statement kinds opsdeck distinguishes. */
export type StatementKind =
  | 'select'
  | 'insert'
  | 'replace'
  | 'update'
  | 'delete'
  | 'create'
  | 'alter'
  | 'drop'
  | 'truncate'
  | 'rename'
  | 'comment'
  | 'other';

const KINDS = new Set<string>([
  'select',
  'insert',
  'replace',
  'update',
  'delete',
  'create',
  'alter',
  'drop',
  'truncate',
  'rename',
  'comment',
]);

export function statementKind(ast: any): StatementKind {
  const type = String(ast?.type ?? '').toLowerCase();
  return (KINDS.has(type) ? type : 'other') as StatementKind;
}

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
]);

/** Column name of a column_ref (the two dialects shape it differently). */
export function columnName(ref: any): string | undefined {
  const column = ref?.column ?? ref;
  if (typeof column === 'string') return column;
  if (typeof column?.expr?.value === 'string') return column.expr.value;
  return undefined;
}

/** A table a statement names. */
export interface TableRef {
  schema?: string;
  name: string;
}

function toTableRef(t: any): TableRef | undefined {
  if (!t || typeof t.table !== 'string') return undefined;
  return { schema: t.db ?? t.schema ?? undefined, name: t.table };
}

/** Tables a statement writes to or defines. */
export function targetTables(ast: any): TableRef[] {
  const raw =
    ast.type === 'drop' || ast.type === 'truncate' ? ast.name : ast.table;
  let list: any[] = [];
  if (Array.isArray(raw)) list = raw;
  else if (raw) list = [raw];
  return list.map(toTableRef).filter((t): t is TableRef => Boolean(t));
}

/** Every column referenced anywhere inside an expression tree. */
export function referencedColumns(expr: any): string[] {
  const out: string[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node.type === 'column_ref') {
      const name = columnName(node);
      if (name && name !== '*') out.push(name);
      return;
    }
    Object.values(node).forEach(walk);
  };
  walk(expr);
  return out;
}

/** True when any SELECT inside the tree selects `*`. */
export function selectsStar(ast: any): boolean {
  let found = false;
  const walk = (node: any) => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (node.type === 'select' && Array.isArray(node.columns)) {
      for (const c of node.columns) {
        if (columnName(c.expr) === '*' || c.expr?.column === '*') found = true;
      }
    }
    if (node.type === 'select' && node.columns === '*') found = true;
    Object.values(node).forEach(walk);
  };
  walk(ast);
  return found;
}
