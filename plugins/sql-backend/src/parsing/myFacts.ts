import {
  type AlterAction,
  type ColumnDef,
  type DmlPart,
  type Expr,
  exprColumns,
  type StatementFacts,
  type StatementKind,
  tautology,
} from './facts';
import type { ParsedStatement, TableRef } from './types';

/** Column name of a node-sql-parser column_ref (the shapes vary). */
export function myColumnName(ref: any): string | undefined {
  const column = ref?.column ?? ref;
  if (typeof column === 'string') return column;
  if (typeof column?.expr?.value === 'string') return column.expr.value;
  return undefined;
}

/** Lower-case name of a node-sql-parser function node. */
export function myFunctionName(node: any): string | undefined {
  const name = node?.name;
  if (typeof name === 'string') return name.toLowerCase();
  const parts = name?.name;
  if (Array.isArray(parts) && parts.length) {
    return String(parts[parts.length - 1]?.value ?? '').toLowerCase();
  }
  return undefined;
}

/** Calls `visit` for every object below `value`. */
export function walkMy(value: any, visit: (node: any) => void): void {
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walkMy(v, visit);
    return;
  }
  visit(value);
  for (const key of Object.keys(value)) walkMy(value[key], visit);
}

function table(t: any): TableRef | undefined {
  if (!t || typeof t.table !== 'string') return undefined;
  return { schema: t.db ?? undefined, name: t.table, alias: t.as ?? undefined };
}

const BINARY: Record<string, string> = {
  AND: 'and',
  '&&': 'and',
  OR: 'or',
  '||': 'or',
  XOR: 'xor',
  LIKE: 'like',
  IN: 'in',
  IS: 'is',
  'IS NOT': 'is not',
};

/** The engine-neutral view of a node-sql-parser expression. */
export function myExpr(node: any): Expr {
  if (!node || typeof node !== 'object') return { k: 'other', args: [] };
  switch (node.type) {
    case 'number':
      return { k: 'const', v: Number(node.value) };
    case 'bool':
      return { k: 'const', v: Boolean(node.value) };
    case 'null':
      return { k: 'const', v: null };
    case 'single_quote_string':
    case 'double_quote_string':
    case 'natural_string':
    case 'string':
      return { k: 'const', v: String(node.value) };
    case 'column_ref': {
      const name = myColumnName(node);
      return name
        ? { k: 'col', name, table: node.table ?? undefined }
        : { k: 'other', args: [] };
    }
    case 'unary_expr':
      if (
        String(node.operator).toUpperCase() === 'NOT' ||
        node.operator === '!'
      ) {
        return { k: 'op', op: 'not', args: [myExpr(node.expr)] };
      }
      return { k: 'other', args: [myExpr(node.expr)] };
    case 'binary_expr': {
      const operator = String(node.operator).toUpperCase();
      const right = node.right;
      if (operator === 'IN' && right?.type === 'expr_list') {
        return {
          k: 'op',
          op: 'in',
          args: [myExpr(node.left), ...(right.value ?? []).map(myExpr)],
        };
      }
      if (
        (operator === 'IS' || operator === 'IS NOT') &&
        right?.type === 'null'
      ) {
        return {
          k: 'op',
          op: operator === 'IS' ? 'is null' : 'is not null',
          args: [myExpr(node.left)],
        };
      }
      const op = BINARY[operator] ?? operator.toLowerCase();
      return { k: 'op', op, args: [myExpr(node.left), myExpr(right)] };
    }
    default: {
      const cols: Expr[] = [];
      walkMy(node, n => {
        if (n.type === 'column_ref') cols.push(myExpr(n));
      });
      return { k: 'other', args: cols };
    }
  }
}

function dml(ast: any, verb: DmlPart['verb']): DmlPart {
  const targets: any[] = (
    Array.isArray(ast.table) ? ast.table : [ast.table]
  ).filter(Boolean);
  const from: any[] = Array.isArray(ast.from) ? ast.from : [];
  const target = table(targets[0]);
  const where = ast.where ? myExpr(ast.where) : undefined;
  const multiTable =
    targets.length !== 1 ||
    targets.some(t => t.join) ||
    from.some(f => f.join || f.table !== targets[0]?.table) ||
    from.length > 1;
  return {
    verb,
    table: target,
    multiTable,
    hasWhere: Boolean(ast.where),
    tautology: tautology(where),
    whereColumns: [...new Set(exprColumns(where))],
    inCte: false,
  };
}

/** Statements node-sql-parser does not parse, named by their first words, with their rule. */
const HEADS: [RegExp, string, string][] = [
  [/^(DO)\b/, 'dynamic-sql', 'DO evaluates expressions outside a query'],
  [
    /^(PREPARE|EXECUTE|DEALLOCATE)\b/,
    'dynamic-sql',
    'prepared statements run SQL the review never sees',
  ],
  [
    /^(CALL)\b/,
    'dynamic-sql',
    'CALL runs a stored procedure the review cannot see into',
  ],
  [/^(HANDLER)\b/, 'dynamic-sql', 'HANDLER reads tables outside queries'],
  [
    /^(LOAD (DATA|XML))\b/,
    'server-files-and-programs',
    'LOAD DATA / LOAD XML read files',
  ],
  [
    /^(INSTALL|UNINSTALL) (PLUGIN|SONAME)\b/,
    'extension-change',
    'plugins load code into the server',
  ],
  [
    /^CREATE (AGGREGATE )?FUNCTION\b/,
    'extension-change',
    'CREATE FUNCTION (a stored function, or a library with SONAME)',
  ],
  [
    /^CREATE (DEFINER\b.*)?(PROCEDURE|TRIGGER|EVENT)\b/,
    'dynamic-sql',
    'stored code runs later, outside the review',
  ],
  [
    /^(CREATE|ALTER|DROP) SERVER\b/,
    'extension-change',
    'federated servers connect to other servers',
  ],
  [/^(KILL)\b/, 'sleep-kill-or-lock', 'KILL ends another session or its query'],
  [
    /^(LOCK|UNLOCK) TABLES?\b/,
    'sleep-kill-or-lock',
    'LOCK TABLES blocks other sessions',
  ],
  [/^(SHUTDOWN|RESTART)\b/, 'server-files-and-programs', 'stops the server'],
  [/^(GRANT|REVOKE)\b/, 'privilege-change', 'GRANT/REVOKE change privileges'],
  [
    /^((CREATE|ALTER|DROP|RENAME) (USER|ROLE))\b/,
    'privilege-change',
    'accounts and roles',
  ],
  [
    /^(SET (PASSWORD|ROLE|DEFAULT ROLE))\b/,
    'privilege-change',
    'passwords and roles',
  ],
  [
    /^(SET (GLOBAL|PERSIST|PERSIST_ONLY|SESSION)|SET @@)/,
    'session-settings',
    'SET changes server or session settings',
  ],
  [
    /^(FLUSH|RESET|PURGE|CHANGE (MASTER|REPLICATION)|START (SLAVE|REPLICA)|STOP (SLAVE|REPLICA))\b/,
    'server-files-and-programs',
    'server administration',
  ],
];

const KIND: Record<string, StatementKind> = {
  select: 'select',
  insert: 'insert',
  replace: 'replace',
  update: 'update',
  delete: 'delete',
  create: 'create',
  alter: 'alter',
  drop: 'drop',
  truncate: 'truncate',
  rename: 'rename',
};

function columnDef(d: any): ColumnDef {
  return {
    name: myColumnName(d.column) ?? '?',
    hasComment: Boolean(d.comment),
    notNull:
      String(d.nullable?.type ?? '').toLowerCase() === 'not null' ||
      Boolean(d.primary_key),
    hasDefault: Boolean(d.default_val) || Boolean(d.auto_increment),
  };
}

/**
 * What the review needs to know of one MySQL/MariaDB statement, from
 * node-sql-parser's tree of the server's view of the text; statements the
 * parser does not know are named by their first words (and refused).
 */
export function myFacts(statement: ParsedStatement): StatementFacts {
  const ast = statement.ast ?? {};
  const type = String(ast.type ?? '').toLowerCase();
  const head = (statement.head ?? []).join(' ');
  const facts: StatementFacts = {
    kind: KIND[type] ?? 'other',
    verb: type ? type.toUpperCase() : head.split(' ')[0] ?? '?',
    tables: [],
    dml: [],
    functions: [...new Set(statement.calledNames ?? [])],
    selectStar: false,
    insertWithoutColumns: false,
    hits: [],
  };
  const hit = (rule: string, message: string) =>
    facts.hits.push({ rule, message });
  if (!statement.ast) {
    for (const [pattern, rule, message] of HEADS) {
      if (pattern.test(head)) {
        hit(rule, message);
        break;
      }
    }
  }
  // functions node-sql-parser saw (a second opinion to the lexer's list)
  walkMy(ast, n => {
    if (n.type === 'function' || n.type === 'aggr_func') {
      const name = myFunctionName(n);
      if (name && !facts.functions.includes(name)) facts.functions.push(name);
    }
    if (n.type === 'select' && Array.isArray(n.columns)) {
      for (const c of n.columns) {
        if (myColumnName(c.expr) === '*' || c.expr?.column === '*')
          facts.selectStar = true;
      }
    }
    if (n.type === 'select' && n.columns === '*') facts.selectStar = true;
  });

  switch (type) {
    case 'select':
      if (ast.into?.position) {
        const what = String(ast.into.keyword ?? 'a variable').toUpperCase();
        facts.notReadOnly = `SELECT ... INTO ${what} writes ${
          what === 'OUTFILE' || what === 'DUMPFILE'
            ? 'a server file'
            : 'session state'
        }`;
        if (what === 'OUTFILE' || what === 'DUMPFILE') {
          hit(
            'server-files-and-programs',
            `SELECT ... INTO ${what} writes a file on the database server`,
          );
        }
      } else if (ast.locking_read) {
        facts.notReadOnly = `${ast.locking_read} locks rows`;
      }
      break;
    case 'update':
    case 'delete': {
      const part = dml(ast, type);
      facts.dml.push(part);
      if (part.table) facts.tables.push(part.table);
      break;
    }
    case 'insert':
    case 'replace': {
      facts.insertWithoutColumns = !(ast.columns?.length > 0);
      facts.dml.push({
        verb: 'insert',
        table: table(ast.table?.[0]),
        multiTable: false,
        hasWhere: false,
        whereColumns: [],
        inCte: false,
      });
      const t = table(ast.table?.[0]);
      if (t) facts.tables.push(t);
      break;
    }
    case 'load_data':
      hit(
        'server-files-and-programs',
        `LOAD DATA ${ast.local ? 'LOCAL ' : ''}INFILE reads a file`,
      );
      break;
    case 'call':
      hit(
        'dynamic-sql',
        'CALL runs a stored procedure the review cannot see into',
      );
      break;
    case 'grant':
      hit(
        'privilege-change',
        `${String(
          ast.keyword === 'priv' ? 'GRANT' : 'GRANT',
        )} changes privileges`,
      );
      break;
    case 'create': {
      const keyword = String(ast.keyword ?? '').toLowerCase();
      facts.verb = `CREATE ${keyword.toUpperCase()}`;
      if (keyword === 'user' || keyword === 'role')
        hit('privilege-change', `CREATE ${keyword.toUpperCase()}`);
      if (
        keyword === 'function' ||
        keyword === 'procedure' ||
        keyword === 'trigger' ||
        keyword === 'event'
      ) {
        hit(
          'dynamic-sql',
          `CREATE ${keyword.toUpperCase()} stores code that runs later, outside the review`,
        );
      }
      const t = table(ast.table?.[0] ?? ast.table);
      if (t) facts.tables.push(t);
      if (keyword === 'table' && !ast.query_expr && !ast.as) {
        const defs: any[] = ast.create_definitions ?? [];
        facts.createTable = {
          table: t?.name ?? '?',
          hasPrimaryKey: defs.some(
            d =>
              (d.resource === 'column' && d.primary_key) ||
              (d.resource === 'constraint' &&
                String(d.constraint_type).toLowerCase() === 'primary key'),
          ),
          columns: defs.filter(d => d.resource === 'column').map(columnDef),
        };
      }
      break;
    }
    case 'alter': {
      const t = table(ast.table?.[0] ?? ast.table);
      if (t) facts.tables.push(t);
      facts.verb = 'ALTER TABLE';
      const actions: AlterAction[] = [];
      for (const e of ast.expr ?? []) {
        const action = String(e.action ?? '').toLowerCase();
        const column = myColumnName(e.column) ?? '?';
        if (action === 'add' && e.resource === 'column')
          actions.push({ action: 'add-column', column: columnDef(e) });
        if (
          action === 'drop' &&
          (e.resource === 'column' || e.keyword === 'COLUMN' || e.column)
        ) {
          actions.push({ action: 'drop-column', column });
          facts.destructive = `ALTER TABLE ${t?.name} DROP COLUMN ${column} removes data that cannot be rolled back`;
        }
        if (
          action === 'drop' &&
          /partition/i.test(String(e.resource ?? e.keyword ?? ''))
        ) {
          facts.destructive = `ALTER TABLE ${t?.name} DROP PARTITION removes data that cannot be rolled back`;
        }
        if (
          ['modify', 'change', 'alter'].includes(action) &&
          e.definition?.dataType
        ) {
          actions.push({
            action: 'type',
            column,
            oldColumn: myColumnName(e.old_column),
            dataType: String(e.definition.dataType).toLowerCase(),
            length: e.definition.length,
          });
        }
      }
      facts.alter = actions;
      break;
    }
    case 'drop': {
      const keyword = String(ast.keyword ?? 'table').toUpperCase();
      facts.verb = `DROP ${keyword}`;
      const list: any[] = Array.isArray(ast.name) ? ast.name : [ast.name];
      const dropped = list.map(table).filter((x): x is TableRef => Boolean(x));
      if (keyword === 'TABLE' || keyword === 'VIEW')
        facts.tables.push(...dropped);
      if (keyword === 'USER' || keyword === 'ROLE')
        hit('privilege-change', `DROP ${keyword}`);
      if (['TABLE', 'DATABASE', 'SCHEMA'].includes(keyword)) {
        facts.destructive = `DROP ${keyword} ${dropped
          .map(d => d.name)
          .join(', ')} removes data that cannot be rolled back`;
      }
      break;
    }
    case 'truncate': {
      const list: any[] = Array.isArray(ast.name) ? ast.name : [ast.name];
      facts.tables.push(
        ...list.map(table).filter((x): x is TableRef => Boolean(x)),
      );
      facts.destructive = `TRUNCATE ${facts.tables
        .map(x => x.name)
        .join(', ')} removes every row; it cannot be rolled back`;
      break;
    }
    case 'rename': {
      for (const pair of ast.table ?? []) {
        const t = table(pair?.[0]);
        if (t) facts.tables.push(t);
      }
      break;
    }
    case 'set':
      if (/^SET (PASSWORD|ROLE|DEFAULT ROLE)\b/.test(head)) {
        hit('privilege-change', 'passwords and roles');
      } else
        hit('session-settings', 'SET changes session settings or variables');
      break;
    case 'lock':
    case 'unlock':
      hit('sleep-kill-or-lock', 'LOCK TABLES blocks other sessions');
      break;
    default:
  }
  if (!facts.notReadOnly && type !== 'select') {
    facts.notReadOnly = `${facts.verb} is not a query`;
  }
  return facts;
}
