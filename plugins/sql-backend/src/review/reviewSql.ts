import {
  columnName,
  DDL_KINDS,
  DML_KINDS,
  parseStatement,
  referencedColumns,
  selectsStar,
  SqlEngine,
  statementKind,
  StatementKind,
  TableRef,
  targetTables,
} from './ast';
import type { ReviewInspector, TableInfo } from './inspector';
import { isReservedWord } from './reservedWords';
import { resolveRules, RuleOverrides, RuleSetting } from './rules';
import { splitStatements } from './splitStatements';

/** A statement of a reviewed script. */
export interface ReviewedStatement {
  index: number;
  sql: string;
  line: number;
  kind: StatementKind;
  tables: string[];
  /** Rows EXPLAIN estimates an UPDATE/DELETE touches (with an instance). */
  estimatedRows?: number;
}

/** One finding: which rule, which statement, why. */
export interface ReviewFinding {
  rule: string;
  level: 'error' | 'warning';
  /** Index into `statements`; null for script-wide findings. */
  statementIndex: number | null;
  message: string;
}

export interface ReviewResult {
  statements: ReviewedStatement[];
  findings: ReviewFinding[];
  errors: number;
  warnings: number;
}

const ALLOWED_IN_CHANGES = new Set<StatementKind>([
  ...DDL_KINDS,
  ...DML_KINDS,
  'select',
]);

const INT_SIZES: Record<string, number> = {
  tinyint: 1,
  smallint: 2,
  int2: 2,
  smallserial: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  int4: 4,
  serial: 4,
  bigint: 8,
  int8: 8,
  bigserial: 8,
};
const STRING_TYPES = new Set([
  'varchar',
  'character varying',
  'char',
  'character',
  'bpchar',
  'text',
  'tinytext',
  'mediumtext',
  'longtext',
]);
const UNBOUNDED_TEXT: Record<string, number> = {
  text: 1 << 30,
  tinytext: 255,
  mediumtext: 1 << 24,
  longtext: 1 << 30,
};

/** Comparable size of a type: family and capacity. */
function typeCapacity(
  dataType: string,
  length?: number,
): { family: 'int' | 'string'; size: number } | undefined {
  const t = dataType.toLowerCase();
  if (t in INT_SIZES) return { family: 'int', size: INT_SIZES[t] };
  if (STRING_TYPES.has(t)) {
    return {
      family: 'string',
      size: length ?? UNBOUNDED_TEXT[t] ?? (t.startsWith('char') ? 1 : 1 << 30),
    };
  }
  return undefined;
}

function quoteName(t: TableRef): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}

/** Reviews a change script against the rules (and the instance, when given). */
export async function reviewSql(options: {
  engine: SqlEngine;
  sql: string;
  rules?: RuleOverrides;
  inspector?: ReviewInspector;
}): Promise<ReviewResult> {
  const { engine, inspector } = options;
  const settings = resolveRules(options.rules);
  const findings: ReviewFinding[] = [];
  const report = (
    rule: string,
    statementIndex: number | null,
    message: string,
  ) => {
    const setting = settings.get(rule) as RuleSetting;
    if (setting.level === 'off') return;
    findings.push({ rule, level: setting.level, statementIndex, message });
  };
  const on = (rule: string) => settings.get(rule)?.level !== 'off';
  const tableCache = new Map<string, Promise<TableInfo | undefined>>();
  const tableInfo = (t: TableRef) => {
    const key = quoteName(t);
    let info = tableCache.get(key);
    if (!info) {
      info = inspector!.tableInfo(t);
      tableCache.set(key, info);
    }
    return info;
  };
  // PostgreSQL columns get comments in separate COMMENT ON COLUMN statements
  const commented = new Set<string>();
  const newColumns: { index: number; table: string; column: string }[] = [];

  const statements: ReviewedStatement[] = [];
  const source = splitStatements(options.sql);
  for (const [index, s] of source.entries()) {
    let ast: any;
    try {
      ast = parseStatement(engine, s.sql);
    } catch (error) {
      statements.push({
        index,
        sql: s.sql,
        line: s.line,
        kind: 'other',
        tables: [],
      });
      const msg = (error as Error).message.split('\n')[0].slice(0, 300);
      report('parse-error', index, `Cannot parse as ${engine}: ${msg}`);
      continue;
    }
    const kind = statementKind(ast);
    const tables = targetTables(ast);
    const statement: ReviewedStatement = {
      index,
      sql: s.sql,
      line: s.line,
      kind,
      tables: tables.map(quoteName),
    };
    statements.push(statement);

    if (!ALLOWED_IN_CHANGES.has(kind)) {
      report(
        'unsupported-statement',
        index,
        `${String(
          ast.type ?? 'This',
        ).toUpperCase()} statements are not allowed in a change`,
      );
      continue;
    }

    if (kind === 'update' || kind === 'delete') {
      await reviewDml(ast, kind, tables, statement);
    }
    if ((kind === 'insert' || kind === 'replace') && !ast.columns) {
      report(
        'insert-without-columns',
        index,
        `${kind.toUpperCase()} into ${statement.tables.join(
          ', ',
        )} does not list its columns`,
      );
    }
    if (kind !== 'select' && selectsStar(ast)) {
      report(
        'select-star',
        index,
        'SELECT * inside a change depends on column order',
      );
    } else if (kind === 'select' && selectsStar(ast)) {
      report('select-star', index, 'SELECT * in a change: name the columns');
    }
    if (kind === 'drop' || kind === 'truncate') {
      const what = String(ast.keyword ?? 'table').toUpperCase();
      report(
        'drop-or-truncate',
        index,
        `${kind.toUpperCase()} ${what} ${statement.tables.join(
          ', ',
        )} removes data that cannot be rolled back`,
      );
    }
    if (kind === 'create' && ast.keyword === 'table')
      reviewCreateTable(ast, statement);
    if (kind === 'alter') await reviewAlter(ast, tables, statement);
    if (kind === 'comment' && ast.target?.type === 'column') {
      const ref = ast.target.name;
      commented.add(`${ref?.table ?? ''}.${columnName(ref)}`.toLowerCase());
    }
  }

  // columns without comments (PostgreSQL: no COMMENT ON COLUMN in the script)
  for (const c of newColumns) {
    if (!commented.has(`${c.table}.${c.column}`.toLowerCase())) {
      report(
        'column-without-comment',
        c.index,
        `Column ${c.table}.${c.column} has no comment`,
      );
    }
  }

  const ddl = statements.filter(s => DDL_KINDS.has(s.kind));
  const dml = statements.filter(s => DML_KINDS.has(s.kind));
  if (ddl.length > 0 && dml.length > 0) {
    report(
      'mixed-ddl-dml',
      null,
      `The script mixes ${ddl.length} DDL statement(s) (first at #${
        ddl[0].index + 1
      }) with ${dml.length} DML statement(s) (first at #${
        dml[0].index + 1
      }); submit them as separate changes`,
    );
  }

  return {
    statements,
    findings,
    errors: findings.filter(f => f.level === 'error').length,
    warnings: findings.filter(f => f.level === 'warning').length,
  };

  async function reviewDml(
    ast: any,
    kind: 'update' | 'delete',
    tables: TableRef[],
    statement: ReviewedStatement,
  ) {
    const { index } = statement;
    const verb = kind.toUpperCase();
    if (!ast.where) {
      report(
        'dml-without-where',
        index,
        `${verb} on ${statement.tables.join(
          ', ',
        )} has no WHERE and changes every row`,
      );
    }
    const joined =
      tables.length !== 1 ||
      (Array.isArray(ast.from) &&
        ast.from.some((f: any) => f.table !== tables[0]?.name)) ||
      (Array.isArray(ast.table) && ast.table.some((t: any) => t.join));
    if (joined) {
      report(
        'dml-multi-table',
        index,
        `${verb} touches several tables (join or FROM list); it cannot be backed up row by row`,
      );
    }
    if (!inspector || tables.length !== 1) return;
    if (on('dml-max-rows')) {
      const rows = await inspector.estimateRows(statement.sql);
      statement.estimatedRows = rows;
      const max = settings.get('dml-max-rows')!.options.maxRows;
      if (rows !== undefined && rows > max) {
        report(
          'dml-max-rows',
          index,
          `EXPLAIN estimates ${verb} touches about ${rows} rows, more than ${max}`,
        );
      }
    }
    const info = await tableInfo(tables[0]);
    if (!info) return;
    if (info.primaryKey.length === 0) {
      report(
        'rollback-needs-primary-key',
        index,
        `Table ${statement.tables[0]} has no primary key, so its rows cannot be restored by rollback`,
      );
    }
    const whereColumns = [...new Set(referencedColumns(ast.where))];
    const indexed = new Set(info.indexLeadingColumns.map(c => c.toLowerCase()));
    if (
      whereColumns.length > 0 &&
      !whereColumns.some(c => indexed.has(c.toLowerCase()))
    ) {
      report(
        'dml-where-without-index',
        index,
        `No index starts with ${whereColumns.join(', ')} (WHERE of ${verb} on ${
          statement.tables[0]
        }): full table scan`,
      );
    }
  }

  function reviewCreateTable(ast: any, statement: ReviewedStatement) {
    const { index } = statement;
    const table = statement.tables[0] ?? '?';
    const definitions: any[] = ast.create_definitions ?? [];
    if (ast.query_expr || ast.as) return; // CREATE TABLE ... AS SELECT
    const hasPk = definitions.some(
      d =>
        (d.resource === 'column' && d.primary_key) ||
        (d.resource === 'constraint' &&
          String(d.constraint_type).toLowerCase() === 'primary key'),
    );
    if (!hasPk) {
      report(
        'create-table-without-primary-key',
        index,
        `CREATE TABLE ${table} defines no primary key`,
      );
    }
    checkName(index, table, 'table');
    for (const d of definitions.filter(x => x.resource === 'column')) {
      const column = columnName(d.column);
      if (!column) continue;
      checkName(index, column, `column of ${table}`);
      if (engine === 'mysql' && !d.comment) {
        report(
          'column-without-comment',
          index,
          `Column ${table}.${column} has no COMMENT`,
        );
      } else if (engine === 'postgresql') {
        newColumns.push({
          index,
          table: targetTables(ast)[0]?.name ?? table,
          column,
        });
      }
    }
  }

  function checkName(index: number, name: string, what: string) {
    if (on('reserved-word-name') && isReservedWord(engine, name)) {
      report(
        'reserved-word-name',
        index,
        `'${name}' (${what}) is a reserved word in ${engine}`,
      );
    }
  }

  async function reviewAlter(
    ast: any,
    tables: TableRef[],
    statement: ReviewedStatement,
  ) {
    const { index } = statement;
    const table = tables[0];
    if (!table) return;
    const info = inspector ? await tableInfo(table) : undefined;
    for (const expr of ast.expr ?? []) {
      const column = columnName(expr.column);
      const action = String(expr.action ?? '').toLowerCase();
      if (action === 'add' && expr.resource === 'column' && column) {
        checkName(index, column, `column of ${table.name}`);
        if (engine === 'mysql' && !expr.comment) {
          report(
            'column-without-comment',
            index,
            `Column ${table.name}.${column} has no COMMENT`,
          );
        } else if (engine === 'postgresql') {
          newColumns.push({ index, table: table.name, column });
        }
        const notNull =
          String(expr.nullable?.type ?? '').toLowerCase() === 'not null';
        if (notNull && !expr.default_val) {
          const rows = info?.estimatedRows;
          if (rows === undefined || rows > 0) {
            report(
              'alter-not-null-without-default',
              index,
              `ADD COLUMN ${column} NOT NULL without DEFAULT on ${table.name}${
                rows !== undefined ? ` (about ${rows} rows)` : ''
              }`,
            );
          }
        }
      }
      if (
        action === 'alter' &&
        expr.nullable?.action === 'set' &&
        String(expr.nullable.type).toLowerCase() === 'not null'
      ) {
        report(
          'alter-not-null-without-default',
          index,
          `SET NOT NULL on ${table.name}.${column} fails if a row holds NULL and scans the whole table`,
        );
      }
      if (
        ['alter', 'modify', 'change'].includes(action) &&
        expr.definition?.dataType
      ) {
        const oldName = columnName(expr.old_column) ?? column;
        const current = info?.columns.find(
          c => c.name.toLowerCase() === String(oldName).toLowerCase(),
        );
        if (!current) continue;
        const before = typeCapacity(current.dataType, current.length);
        const after = typeCapacity(
          expr.definition.dataType,
          expr.definition.length,
        );
        if (
          before &&
          after &&
          ((before.family === after.family && after.size < before.size) ||
            (before.family === 'string' && after.family === 'int'))
        ) {
          report(
            'alter-type-narrowing',
            index,
            `${table.name}.${oldName} changes from ${current.dataType}${
              current.length ? `(${current.length})` : ''
            } to ${String(expr.definition.dataType).toLowerCase()}${
              expr.definition.length ? `(${expr.definition.length})` : ''
            }: existing values may be truncated`,
          );
        }
      }
    }
  }
}
