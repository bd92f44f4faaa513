import type { AlterAction, RuleHit, SqlEngine } from '../parsing';
import type { TableInfo } from './inspector';

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
      size:
        length ??
        UNBOUNDED_TEXT[t] ??
        (t.startsWith('char') || t === 'bpchar' ? 1 : 1 << 30),
    };
  }
  return undefined;
}

const VARYING = new Set(['varchar', 'character varying', 'text']);

/**
 * Findings for a column type change: `alter-type-narrowing` (both engines,
 * with the instance's current type) and `pg-column-type-change`
 * (PostgreSQL rewrites the table unless a varchar only gets longer or
 * becomes text).
 */
export function typeChangeFinding(
  engine: SqlEngine,
  table: string,
  a: Extract<AlterAction, { action: 'type' }>,
  info: TableInfo | undefined,
  isNew: boolean,
): RuleHit[] {
  const out: RuleHit[] = [];
  const oldName = a.oldColumn ?? a.column;
  const current = info?.columns.find(
    c => c.name.toLowerCase() === String(oldName).toLowerCase(),
  );
  const target = `${a.dataType}${a.length ? `(${a.length})` : ''}`;
  if (current) {
    const before = typeCapacity(current.dataType, current.length);
    const after = typeCapacity(a.dataType, a.length);
    if (
      before &&
      after &&
      ((before.family === after.family && after.size < before.size) ||
        (before.family === 'string' && after.family === 'int'))
    ) {
      out.push({
        rule: 'alter-type-narrowing',
        message: `${table}.${oldName} changes from ${current.dataType}${
          current.length ? `(${current.length})` : ''
        } to ${target}: existing values may be truncated`,
      });
    }
  }
  if (engine === 'postgresql' && !isNew) {
    const widening =
      current &&
      VARYING.has(current.dataType.toLowerCase()) &&
      VARYING.has(a.dataType.toLowerCase()) &&
      (a.length === undefined ||
        (current.length !== undefined && a.length >= current.length));
    if (!widening) {
      out.push({
        rule: 'pg-column-type-change',
        message: `ALTER COLUMN ${
          a.column
        } TYPE ${target} rewrites ${table} and its indexes under an ACCESS EXCLUSIVE lock${
          current ? '' : ' (the current type could not be read)'
        }`,
      });
    }
  }
  return out;
}
