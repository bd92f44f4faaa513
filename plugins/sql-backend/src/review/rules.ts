/** Finding levels: `error` blocks a change, `warning` needs a reason from the submitter. */
export type RuleLevel = 'error' | 'warning' | 'off';

/** One review rule as documented on the rules page. */
export interface RuleDefinition {
  id: string;
  title: string;
  defaultLevel: RuleLevel;
  /** Why the rule exists and what it checks. */
  description: string;
  /** Whether the rule needs the live instance (EXPLAIN, catalog lookups). */
  usesInstance: boolean;
  /** Options with their defaults. */
  options?: Record<string, number>;
}

/** Every rule of the review engine. The rules page lists these. */
export const RULES: RuleDefinition[] = [
  {
    id: 'parse-error',
    title: 'Statement must parse',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'The statement is not valid SQL for the instance dialect (or uses syntax the parser does not know). Nothing unreviewed runs.',
  },
  {
    id: 'unsupported-statement',
    title: 'Only DDL and DML in changes',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'Transaction control, SET, USE, SHOW, VACUUM, EXPLAIN and similar statements are not allowed in a change: opsdeck runs each statement itself and decides transactions.',
  },
  {
    id: 'dynamic-sql',
    title: 'No dynamic SQL or stored code',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'DO blocks, PREPARE/EXECUTE/DEALLOCATE, EXECUTE IMMEDIATE, CALL, stored procedures, triggers and events, and functions that run SQL given as a string (query_to_xml, ts_stat, ...) run SQL the review never sees.',
  },
  {
    id: 'server-files-and-programs',
    title: 'No server files or programs',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'COPY (files, PROGRAM, STDIN/STDOUT), LOAD, LOAD DATA, SELECT ... INTO OUTFILE/DUMPFILE, server-file functions (pg_read_file, lo_import, LOAD_FILE ...), dblink, functions in untrusted languages and server administration functions act on the database server itself.',
  },
  {
    id: 'privilege-change',
    title: 'No privilege changes',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'GRANT, REVOKE, roles and users, default privileges, ownership, row-level security, SET ROLE and SECURITY DEFINER functions change who may do what; accounts go through the database-account request (tickets).',
  },
  {
    id: 'extension-change',
    title: 'No extensions or plugins',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'CREATE/ALTER/DROP EXTENSION, languages, foreign data wrappers and servers (PostgreSQL); INSTALL PLUGIN, CREATE FUNCTION ... SONAME, federated servers (MySQL) load code into the server.',
  },
  {
    id: 'sleep-kill-or-lock',
    title: 'No sleeping, killing or locking',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'pg_sleep, pg_terminate_backend, pg_cancel_backend, advisory locks; SLEEP, BENCHMARK, GET_LOCK, KILL, LOCK TABLES: they hold connections, end other sessions or block them.',
  },
  {
    id: 'session-settings',
    title: 'No setting changes',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'set_config, ALTER SYSTEM, ALTER DATABASE ... SET, SET GLOBAL/SESSION: settings such as standard_conforming_strings or sql_mode change how later statements are read.',
  },
  {
    id: 'dml-without-where',
    title: 'UPDATE/DELETE needs WHERE',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'An UPDATE or DELETE without WHERE touches every row of the table, which is almost never intended. Writes inside a WITH clause count.',
  },
  {
    id: 'tautological-where',
    title: 'WHERE must not be always true',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      "A WHERE that holds for every row (1 = 1, TRUE, 'a' = 'a', id = id, LIKE '%', x IS NULL OR x IS NOT NULL, an OR with any such branch) is an UPDATE or DELETE of the whole table in disguise.",
  },
  {
    id: 'dml-max-rows',
    title: 'DML affecting many rows',
    defaultLevel: 'warning',
    usesInstance: true,
    options: { maxRows: 1000 },
    description:
      'The rows an UPDATE or DELETE would touch are estimated with EXPLAIN on the instance; above maxRows the change locks and backs up a large part of the table.',
  },
  {
    id: 'dml-multi-table',
    title: 'Multi-table UPDATE/DELETE has no backup',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'UPDATE ... FROM, DELETE ... USING, joined UPDATE/DELETE and MERGE are reviewed like any other (WHERE, tautology) but run without a row backup, so they cannot be rolled back; the submitter gives a reason.',
  },
  {
    id: 'rollback-needs-primary-key',
    title: 'Rollback needs a primary key',
    defaultLevel: 'error',
    usesInstance: true,
    description:
      'UPDATE/DELETE is backed up and rolled back by primary key; on a table without one the previous rows cannot be restored exactly.',
  },
  {
    id: 'dml-where-without-index',
    title: 'WHERE of UPDATE/DELETE should use an index',
    defaultLevel: 'warning',
    usesInstance: true,
    description:
      'None of the columns in the WHERE of an UPDATE/DELETE is the leading column of an index, so the statement scans (and on MySQL locks) the whole table.',
  },
  {
    id: 'create-table-without-primary-key',
    title: 'CREATE TABLE needs a primary key',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'Tables without a primary key break replication tools, row-based rollback and efficient updates.',
  },
  {
    id: 'column-without-comment',
    title: 'Columns need comments',
    defaultLevel: 'off',
    usesInstance: false,
    description:
      'When required for an instance, every new column needs a comment (MySQL COMMENT, or COMMENT ON COLUMN in the same PostgreSQL script).',
  },
  {
    id: 'select-star',
    title: 'No SELECT * in changes',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'SELECT * (also inside INSERT ... SELECT) depends on column order and silently changes meaning when columns are added.',
  },
  {
    id: 'insert-without-columns',
    title: 'INSERT names its columns',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'INSERT without a column list depends on the table column order and breaks when a column is added.',
  },
  {
    id: 'drop-or-truncate',
    title: 'Destructive DDL needs a higher approval',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'DROP TABLE/SCHEMA/DATABASE, TRUNCATE, DROP COLUMN and DROP PARTITION remove data that opsdeck cannot back up or roll back: they need a reason, and the change needs the destructive approvers (opsdeck.io/sql-destructive-approvers, default opsdeck.sql.review.destructiveApprovers: admins) after the ordinary ones.',
  },
  {
    id: 'pg-index-without-concurrently',
    title: 'PostgreSQL: indexes CONCURRENTLY',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'CREATE INDEX and DROP INDEX without CONCURRENTLY block every write to the table while they run.',
  },
  {
    id: 'pg-volatile-default',
    title: 'PostgreSQL: no table rewrite by ADD COLUMN',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'ADD COLUMN with a volatile DEFAULT (random(), clock_timestamp(), gen_random_uuid(), nextval ...), a serial, identity or generated column rewrites the whole table under an ACCESS EXCLUSIVE lock.',
  },
  {
    id: 'pg-column-type-change',
    title: 'PostgreSQL: column type changes rewrite',
    defaultLevel: 'warning',
    usesInstance: true,
    description:
      'ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock, except widening a varchar or turning it into text.',
  },
  {
    id: 'pg-constraint-without-not-valid',
    title: 'PostgreSQL: new constraints NOT VALID',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'ADD FOREIGN KEY / CHECK without NOT VALID scans the whole table while holding a lock; add it NOT VALID and VALIDATE CONSTRAINT in a later change.',
  },
  {
    id: 'alter-type-narrowing',
    title: 'Risky ALTER: type narrowing',
    defaultLevel: 'error',
    usesInstance: true,
    description:
      'Changing a column to a shorter varchar/char or a smaller integer type can truncate data or fail half-way on big tables.',
  },
  {
    id: 'alter-not-null-without-default',
    title: 'Risky ALTER: NOT NULL without default',
    defaultLevel: 'error',
    usesInstance: true,
    description:
      'Adding a NOT NULL column without DEFAULT, or setting NOT NULL on an existing column, fails or rewrites a table that already has rows.',
  },
  {
    id: 'reserved-word-name',
    title: 'No reserved words as names',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'Table and column names that are reserved words must be quoted everywhere and break tools and hand-written queries.',
  },
  {
    id: 'mixed-ddl-dml',
    title: 'Do not mix DDL and DML',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'A change that alters structure and data at once cannot be reviewed, executed or rolled back as one unit; submit them separately.',
  },
];

const RULES_BY_ID = new Map(RULES.map(r => [r.id, r]));

/** Effective configuration of one rule. */
export interface RuleSetting {
  level: RuleLevel;
  options: Record<string, number>;
}

/** Per-instance overrides: `{ 'select-star': { level: 'error' }, 'dml-max-rows': { options: { maxRows: 10 } } }`. */
export type RuleOverrides = Record<
  string,
  { level?: RuleLevel; options?: Record<string, number> }
>;

/** The effective setting of every rule after the overrides. */
export function resolveRules(
  overrides: RuleOverrides = {},
): Map<string, RuleSetting> {
  const settings = new Map<string, RuleSetting>();
  for (const rule of RULES) {
    const o = overrides[rule.id];
    settings.set(rule.id, {
      level: o?.level ?? rule.defaultLevel,
      options: { ...rule.options, ...o?.options },
    });
  }
  return settings;
}

/**
 * Parses the compact override syntax of the `opsdeck.io/sql-review`
 * annotation: `select-star=error, column-without-comment=warning,
 * dml-max-rows.maxRows=500`. Unknown rules or levels throw, so a typo in the
 * catalog does not silently weaken the review.
 */
export function parseRuleOverrides(text: string | undefined): RuleOverrides {
  const overrides: RuleOverrides = {};
  if (!text) return overrides;
  for (const part of text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z-]+)(?:\.([A-Za-z]+))?\s*=\s*(\S+)$/.exec(part);
    if (!m) throw new Error(`Invalid review setting '${part}'`);
    const [, id, option, value] = m;
    const rule = RULES_BY_ID.get(id);
    if (!rule) throw new Error(`Unknown review rule '${id}'`);
    const entry = (overrides[id] ??= {});
    if (option) {
      if (!rule.options || !(option in rule.options)) {
        throw new Error(`Rule '${id}' has no option '${option}'`);
      }
      const n = Number(value);
      if (!Number.isFinite(n)) {
        throw new Error(`Option ${id}.${option} must be a number`);
      }
      entry.options = { ...entry.options, [option]: n };
    } else {
      if (!['error', 'warning', 'off'].includes(value)) {
        throw new Error(`Level of '${id}' must be error, warning or off`);
      }
      entry.level = value as RuleLevel;
    }
  }
  return overrides;
}
