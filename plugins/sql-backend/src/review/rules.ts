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
      'Transaction control, GRANT, SET, USE and similar statements are not allowed in a change: opsdeck runs each statement itself and decides transactions, and privileges are managed elsewhere.',
  },
  {
    id: 'dml-without-where',
    title: 'UPDATE/DELETE needs WHERE',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'An UPDATE or DELETE without WHERE touches every row of the table, which is almost never intended.',
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
    title: 'One table per UPDATE/DELETE',
    defaultLevel: 'error',
    usesInstance: false,
    description:
      'UPDATE/DELETE with joins or several tables cannot be backed up and rolled back row by row; split it into single-table statements.',
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
    title: 'DROP and TRUNCATE',
    defaultLevel: 'warning',
    usesInstance: false,
    description:
      'DROP and TRUNCATE remove data that opsdeck cannot back up or roll back; they need an explicit reason.',
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
