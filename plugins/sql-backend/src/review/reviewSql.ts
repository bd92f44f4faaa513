import {
  DDL_KINDS,
  DEFAULT_MYSQL_MODE,
  DML_KINDS,
  type MysqlLexicalMode,
  parseScript,
  type SqlEngine,
  statementFacts,
  type StatementFacts,
  type StatementKind,
  type TableRef,
} from '../parsing';
import { deniedFunction, FAMILY_RULE } from '../parsing/denyList';
import { rowPredicate } from '../parsing/predicate';
import type { ReviewInspector, TableInfo } from './inspector';
import { isReservedWord } from './reservedWords';
import { resolveRules, RuleOverrides, RuleSetting } from './rules';
import { typeChangeFinding } from './typeChanges';
import type { ReviewFinding } from '@opsdeck/plugin-sql-common';

/** One finding: which rule, which statement, why (its home is sql-common, the wire Finding). */
export type { ReviewFinding };

/** A statement of a reviewed script. */
export interface ReviewedStatement {
  index: number;
  /** The exact text that runs (alone) when the change executes. */
  sql: string;
  line: number;
  kind: StatementKind;
  tables: string[];
  /** Rows EXPLAIN estimates an UPDATE/DELETE touches (with an instance). */
  estimatedRows?: number;
}

/** Differs from the wire Review: that has no `mode` and types a statement's `kind` as any string. */
export interface ReviewResult {
  statements: ReviewedStatement[];
  findings: ReviewFinding[];
  errors: number;
  warnings: number;
  /** A statement destroys data or structure (the change needs the destructive approvers). */
  destructive?: boolean;
  /** MySQL: how the server read the text; execution refuses a session that reads it differently. */
  mode?: MysqlLexicalMode;
}

const ALLOWED_IN_CHANGES = new Set<StatementKind>([
  ...DDL_KINDS,
  ...DML_KINDS,
  'select',
]);

/** Rules that block a statement on their own: nothing else is checked for it. */
const BLOCKING = new Set([
  'dynamic-sql',
  'server-files-and-programs',
  'privilege-change',
  'extension-change',
  'sleep-kill-or-lock',
  'session-settings',
]);

function quoteName(t: TableRef): string {
  return t.schema ? `${t.schema}.${t.name}` : t.name;
}

/** Reviews a change script against the rules (and the instance, when given). */
export async function reviewSql(options: {
  engine: SqlEngine;
  sql: string;
  rules?: RuleOverrides;
  inspector?: ReviewInspector;
  /** MySQL: the server's quoting mode and version (read from the instance). */
  mode?: MysqlLexicalMode;
}): Promise<ReviewResult> {
  const { engine, inspector } = options;
  const mode = options.mode ?? DEFAULT_MYSQL_MODE;
  const settings = resolveRules(options.rules);
  const findings: ReviewFinding[] = [];
  const report = (
    rule: string,
    statementIndex: number | null,
    message: string,
  ) => {
    const setting = settings.get(rule) as RuleSetting;
    if (!setting || setting.level === 'off') return;
    findings.push({ rule, level: setting.level, statementIndex, message });
  };
  const on = (rule: string) => settings.get(rule)?.level !== 'off';
  const tableCache = new Map<string, Promise<TableInfo | undefined>>();
  const tableInfo = (t: TableRef) => {
    const key = quoteName(t);
    let info = tableCache.get(key);
    if (!info) {
      info = inspector!.tableInfo({ schema: t.schema, name: t.name });
      tableCache.set(key, info);
    }
    return info;
  };
  // PostgreSQL columns get comments in separate COMMENT ON COLUMN statements
  const commented = new Set<string>();
  const newColumns: { index: number; table: string; column: string }[] = [];
  const createdTables = new Set<string>();
  let destructive = false;

  const parsed = await parseScript(engine, options.sql, mode);
  const statements: ReviewedStatement[] = [];
  for (const [index, s] of parsed.entries()) {
    const statement: ReviewedStatement = {
      index,
      sql: s.sql,
      line: s.line,
      kind: 'other',
      tables: [],
    };
    statements.push(statement);
    const facts =
      s.ast || engine === 'mysql' ? statementFacts(engine, s) : undefined;
    if (!s.ast) {
      // a statement named by its first words (MySQL) is refused by its own rule
      const own = facts?.hits.filter(h => BLOCKING.has(h.rule)) ?? [];
      if (own.length > 0) for (const h of own) report(h.rule, index, h.message);
      else
        report('parse-error', index, `Cannot parse as ${engine}: ${s.error}`);
      continue;
    }
    statement.kind = facts!.kind;
    statement.tables = facts!.tables.map(quoteName);
    await reviewStatement(index, s, facts!, statement);
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
    destructive: destructive && on('drop-or-truncate'),
    ...(engine === 'mysql' ? { mode } : {}),
  };

  async function reviewStatement(
    index: number,
    parsedStatement: (typeof parsed)[number],
    facts: StatementFacts,
    statement: ReviewedStatement,
  ) {
    let blocked = false;
    for (const h of facts.hits) {
      report(h.rule, index, h.message);
      if (BLOCKING.has(h.rule)) blocked = true;
    }
    for (const name of facts.functions) {
      const denied = deniedFunction(engine, name);
      if (denied) {
        blocked = true;
        report(
          FAMILY_RULE[denied.family],
          index,
          `${name}() is not allowed: it can ${denied.why}`,
        );
      }
    }
    if (blocked) return;
    if (!ALLOWED_IN_CHANGES.has(facts.kind)) {
      report(
        'unsupported-statement',
        index,
        `${facts.verb} statements are not allowed in a change`,
      );
      return;
    }
    const writes = facts.dml.filter(
      p => p.verb === 'update' || p.verb === 'delete',
    );
    for (const part of facts.dml) {
      const verb = part.verb.toUpperCase();
      const on_ = part.table ? quoteName(part.table) : '?';
      if (
        (part.verb === 'update' || part.verb === 'delete') &&
        !part.hasWhere
      ) {
        report(
          'dml-without-where',
          index,
          `${verb} on ${on_}${
            part.inCte ? ' (in WITH)' : ''
          } has no WHERE and changes every row`,
        );
      }
      if (part.tautology) {
        report(
          'tautological-where',
          index,
          `The WHERE of ${verb} on ${on_} is always true (${part.tautology}): it changes every row`,
        );
      }
      if (part.multiTable) {
        report(
          'dml-multi-table',
          index,
          `${verb} ${
            part.verb === 'merge' ? 'merges into' : 'touches'
          } several tables (join, FROM/USING list or MERGE): it runs without a row backup and cannot be rolled back`,
        );
      }
    }
    if (writes.length > 1) {
      report(
        'dml-multi-table',
        index,
        `The statement writes ${writes.length} times (WITH clauses): it runs without a row backup and cannot be rolled back`,
      );
    }
    if (
      writes.length === 1 &&
      !writes[0].multiTable &&
      writes[0].hasWhere &&
      writes[0].table
    ) {
      await reviewDml(index, parsedStatement, writes[0], statement);
    }
    if (
      (facts.kind === 'insert' || facts.kind === 'replace') &&
      facts.insertWithoutColumns
    ) {
      report(
        'insert-without-columns',
        index,
        `${facts.kind.toUpperCase()} into ${statement.tables.join(
          ', ',
        )} does not list its columns`,
      );
    }
    if (facts.selectStar) {
      report(
        'select-star',
        index,
        facts.kind === 'select'
          ? 'SELECT * in a change: name the columns'
          : 'SELECT * inside a change depends on column order',
      );
    }
    if (facts.destructive) {
      destructive = true;
      report(
        'drop-or-truncate',
        index,
        `${facts.destructive}; the change needs the destructive approvers too`,
      );
    }
    if (facts.createTable) {
      const ct = facts.createTable;
      createdTables.add(ct.table.toLowerCase());
      if (!ct.hasPrimaryKey) {
        report(
          'create-table-without-primary-key',
          index,
          `CREATE TABLE ${ct.table} defines no primary key`,
        );
      }
      checkName(index, ct.table, 'table');
      for (const c of ct.columns) {
        checkName(index, c.name, `column of ${ct.table}`);
        if (engine === 'mysql' && !c.hasComment) {
          report(
            'column-without-comment',
            index,
            `Column ${ct.table}.${c.name} has no COMMENT`,
          );
        } else if (engine === 'postgresql') {
          newColumns.push({ index, table: ct.table, column: c.name });
        }
      }
    }
    if (facts.alter) await reviewAlter(index, facts, statement);
    if (facts.commentOnColumn) {
      commented.add(
        `${facts.commentOnColumn.table}.${facts.commentOnColumn.column}`.toLowerCase(),
      );
    }
  }

  async function reviewDml(
    index: number,
    parsedStatement: (typeof parsed)[number],
    part: StatementFacts['dml'][number],
    statement: ReviewedStatement,
  ) {
    if (!inspector || !part.table) return;
    const verb = part.verb.toUpperCase();
    const name = quoteName(part.table);
    if (on('dml-max-rows')) {
      const predicate = rowPredicate(engine, parsedStatement, mode);
      const query = await predicate?.query('1', '').catch(() => undefined);
      const rows = query ? await inspector.estimateRows(query) : undefined;
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
    const info = await tableInfo(part.table);
    if (!info) return;
    if (info.primaryKey.length === 0) {
      report(
        'rollback-needs-primary-key',
        index,
        `Table ${name} has no primary key, so its rows cannot be restored by rollback`,
      );
    }
    const indexed = new Set(info.indexLeadingColumns.map(c => c.toLowerCase()));
    if (
      part.whereColumns.length > 0 &&
      !part.whereColumns.some(c => indexed.has(c.toLowerCase()))
    ) {
      report(
        'dml-where-without-index',
        index,
        `No index starts with ${part.whereColumns.join(
          ', ',
        )} (WHERE of ${verb} on ${name}): full table scan`,
      );
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
    index: number,
    facts: StatementFacts,
    statement: ReviewedStatement,
  ) {
    const table = facts.tables[0];
    if (!table) return;
    const isNew = createdTables.has(table.name.toLowerCase());
    const info = inspector && !isNew ? await tableInfo(table) : undefined;
    for (const a of facts.alter ?? []) {
      if (a.action === 'add-column') {
        const c = a.column;
        checkName(index, c.name, `column of ${table.name}`);
        if (engine === 'mysql' && !c.hasComment) {
          report(
            'column-without-comment',
            index,
            `Column ${table.name}.${c.name} has no COMMENT`,
          );
        } else if (engine === 'postgresql') {
          newColumns.push({ index, table: table.name, column: c.name });
        }
        if (c.notNull && !c.hasDefault && !isNew) {
          const rows = info?.estimatedRows;
          if (rows === undefined || rows > 0) {
            report(
              'alter-not-null-without-default',
              index,
              `ADD COLUMN ${c.name} NOT NULL without DEFAULT on ${table.name}${
                rows !== undefined ? ` (about ${rows} rows)` : ''
              }`,
            );
          }
        }
      }
      if (a.action === 'set-not-null' && !isNew) {
        report(
          'alter-not-null-without-default',
          index,
          `SET NOT NULL on ${table.name}.${a.column} fails if a row holds NULL and scans the whole table`,
        );
      }
      if (a.action === 'type') {
        const finding = typeChangeFinding(engine, table.name, a, info, isNew);
        for (const f of finding) report(f.rule, index, f.message);
      }
    }
    void statement;
  }
}
