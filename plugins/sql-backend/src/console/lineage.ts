import type { ParsedStatement, SqlEngine } from '../parsing';
import { myQuery } from '../parsing/myModel';
import { pgQuery } from '../parsing/pgModel';
import {
  filterLineage,
  type OutputLineage,
  outputsOf,
  type QueryModel,
} from '../parsing/queryModel';
import type { Masker, MaskingRule } from './masking';

/** Column names of a table, for whole-row references and `*` alignment. */
export type TableColumns = (table: string) => Promise<string[] | undefined>;

/** Masks a value derived from something opsdeck cannot follow. */
const UNKNOWN_SOURCE: MaskingRule = { name: 'derived', kind: 'regex' };

/** The query model of a console statement (a plain SELECT). */
export function queryModel(
  engine: SqlEngine,
  statement: ParsedStatement,
): QueryModel {
  return engine === 'postgresql'
    ? pgQuery(statement.ast)
    : myQuery(statement.ast);
}

async function maskingRule(
  lineage: OutputLineage,
  masker: Masker,
  tableColumns: TableColumns,
): Promise<MaskingRule | undefined> {
  for (const c of lineage.columns) {
    const rule = masker.ruleForColumn(c);
    if (rule) return rule;
  }
  for (const t of lineage.tables) {
    const columns = await tableColumns(t).catch(() => undefined);
    if (!columns) return UNKNOWN_SOURCE;
    for (const c of columns) {
      const rule = masker.ruleForColumn(c);
      if (rule) return rule;
    }
  }
  return lineage.unknown ? UNKNOWN_SOURCE : undefined;
}

/**
 * Masked columns the query filters, joins, groups or sorts on (an oracle:
 * `WHERE phone LIKE '138%'` tells the phone number without showing it).
 */
export async function maskedFilterColumns(
  model: QueryModel,
  masker: Masker,
  tableColumns: TableColumns,
): Promise<string[]> {
  const lineage = filterLineage(model);
  const hits = new Set<string>();
  for (const c of lineage.columns) if (masker.ruleForColumn(c)) hits.add(c);
  for (const t of lineage.tables) {
    const columns = await tableColumns(t).catch(() => undefined);
    if (!columns) hits.add(`${t}.*`);
    else
      for (const c of columns)
        if (masker.ruleForColumn(c)) hits.add(`${t}.${c}`);
  }
  if (lineage.unknown) hits.add('(a whole row)');
  return [...hits];
}

/**
 * For each result column, the rule that masks it because it is computed
 * from a masked column (`concat(substr(phone, 1, 3), ...)`, `replace(email,
 * ...)`, a sub-query's alias, a whole row): data lineage from the parse
 * tree. `*` over a table yields the table's own columns (masked by name).
 * When the outputs cannot be lined up with the result, every column that
 * could derive from a masked one is masked.
 */
export async function derivedMasks(
  model: QueryModel,
  fields: string[],
  masker: Masker,
  tableColumns: TableColumns,
): Promise<(MaskingRule | undefined)[]> {
  const lineages = outputsOf(model);
  const stars = lineages.filter(l => l.starOf);
  const widths = new Map<OutputLineage, number>();
  let aligned = true;
  if (stars.length === 1) {
    widths.set(stars[0], fields.length - (lineages.length - 1));
  } else if (stars.length > 1) {
    for (const s of stars) {
      const columns = await tableColumns(s.starOf!).catch(() => undefined);
      if (!columns) aligned = false;
      else widths.set(s, columns.length);
    }
  }
  const expanded: OutputLineage[] = [];
  for (const l of lineages) {
    if (!l.starOf) {
      expanded.push(l);
      continue;
    }
    const width = widths.get(l) ?? -1;
    if (width < 0) aligned = false;
    for (let i = 0; i < width; i++) {
      const name = fields[expanded.length]?.toLowerCase() ?? '';
      expanded.push({ columns: new Set([name]), tables: new Set() });
    }
  }
  if (!aligned || expanded.length !== fields.length) {
    const all: OutputLineage = { columns: new Set(), tables: new Set() };
    for (const l of lineages) {
      l.columns.forEach(c => all.columns.add(c));
      l.tables.forEach(t => all.tables.add(t));
      if (l.starOf) all.tables.add(l.starOf);
      if (l.unknown) all.unknown = true;
    }
    const rule = await maskingRule(all, masker, tableColumns);
    return fields.map(f => masker.ruleForColumn(f) ?? rule);
  }
  const out: (MaskingRule | undefined)[] = [];
  for (const l of expanded)
    out.push(await maskingRule(l, masker, tableColumns));
  return out;
}
