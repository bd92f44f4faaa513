/**
 * An engine-neutral model of a query, for data lineage: which columns of
 * which tables each output column is computed from, and which columns the
 * query filters, joins, groups or sorts on. Built from PostgreSQL's parse
 * tree (pgModel.ts) or node-sql-parser's (myModel.ts).
 */

/** Columns and rows an expression reads. */
export interface ExprInfo {
  refs: { table?: string; column: string }[];
  /** Table aliases read as whole rows (`row_to_json(t)`, `t.*` in a function). */
  wholeRows: string[];
  /** Sub-queries inside it. */
  subqueries: QueryModel[];
  /** Parts that only order or filter (OVER (...), ORDER BY / FILTER inside aggregates). */
  filters: ExprInfo[];
}

export interface QuerySource {
  /** The name the query uses for it (alias, or the table's name). */
  alias: string;
  table?: { schema?: string; name: string };
  query?: QueryModel;
  /** A function in FROM: its columns come from its arguments. */
  expr?: ExprInfo;
}

export interface QueryOutput {
  /** `*` or `t.*`. */
  star?: { qualifier?: string };
  expr?: ExprInfo;
}

export interface QueryModel {
  outputs: QueryOutput[];
  sources: QuerySource[];
  ctes: Map<string, QueryModel>;
  /** WHERE, JOIN ... ON/USING, GROUP BY, HAVING, ORDER BY, DISTINCT ON, WINDOW, LIMIT. */
  filters: ExprInfo[];
  /** The other branches of UNION / INTERSECT / EXCEPT. */
  unions: QueryModel[];
  parent?: QueryModel;
}

export function emptyExpr(): ExprInfo {
  return { refs: [], wholeRows: [], subqueries: [], filters: [] };
}

export function emptyModel(parent?: QueryModel): QueryModel {
  return {
    outputs: [],
    sources: [],
    ctes: new Map(),
    filters: [],
    unions: [],
    parent,
  };
}

/** Lineage of one output: base columns (`table.column`, lower case) it derives from. */
export interface OutputLineage {
  /** Base columns, as `column` names (lower case). */
  columns: Set<string>;
  /** Whole rows of base tables it derives from (their columns are looked up). */
  tables: Set<string>;
  /** A `*` over a base table: as many outputs as the table has columns, each its own. */
  starOf?: string;
  /** Derived from something opsdeck cannot follow (mask it when anything could be masked). */
  unknown?: boolean;
}

function newLineage(): OutputLineage {
  return { columns: new Set(), tables: new Set() };
}

function merge(into: OutputLineage, from: OutputLineage) {
  from.columns.forEach(c => into.columns.add(c));
  from.tables.forEach(t => into.tables.add(t));
  if (from.unknown || from.starOf)
    into.unknown = into.unknown || Boolean(from.unknown);
  if (from.starOf) into.tables.add(from.starOf);
}

const lower = (s: string) => s.toLowerCase();

function findSource(
  model: QueryModel | undefined,
  alias: string,
): QuerySource | undefined {
  for (let m = model; m; m = m.parent) {
    const s = m.sources.find(x => lower(x.alias) === lower(alias));
    if (s) return s;
  }
  return undefined;
}

/** The CTE `name` visible from `model` (its own WITH or an enclosing query's). */
export function cte(
  model: QueryModel | undefined,
  name: string,
): QueryModel | undefined {
  for (let m = model; m; m = m.parent) {
    const c = m.ctes.get(lower(name));
    if (c) return c;
  }
  return undefined;
}

/** What a FROM item contributes as whole rows / named columns. */
function sourceLineage(s: QuerySource): OutputLineage {
  const out = newLineage();
  if (s.query) {
    for (const o of outputsOf(s.query)) merge(out, o);
  } else if (s.expr) {
    merge(out, exprLineage(s.expr, undefined));
  } else if (s.table) out.tables.add(lower(s.table.name));
  return out;
}

/** Lineage of a (possibly qualified) column name in a query. */
function refLineage(
  model: QueryModel | undefined,
  ref: { table?: string; column: string },
): OutputLineage {
  const out = newLineage();
  const column = lower(ref.column);
  const fromSource = (s: QuerySource) => {
    if (s.query) {
      const named = namedOutputs(s.query).filter(o => o.name === column);
      if (named.length) named.forEach(o => merge(out, o.lineage));
      else out.columns.add(column); // a column a `*` passed through
    } else if (s.expr) {
      merge(out, exprLineage(s.expr, undefined));
    } else {
      out.columns.add(column);
    }
  };
  if (ref.table) {
    const s = findSource(model, ref.table);
    if (s) fromSource(s);
    else out.columns.add(column);
    return out;
  }
  // the innermost query with a FROM list owns the name (outer ones only for correlated sub-queries)
  let m = model;
  while (m && m.sources.length === 0) m = m.parent;
  out.columns.add(column);
  for (const s of m?.sources ?? []) if (s.query || s.expr) fromSource(s);
  return out;
}

/** Everything an expression's value derives from. */
export function exprLineage(
  e: ExprInfo,
  model: QueryModel | undefined,
): OutputLineage {
  const out = newLineage();
  for (const r of e.refs) merge(out, refLineage(model, r));
  for (const alias of e.wholeRows) {
    const s = findSource(model, alias);
    if (s) merge(out, sourceLineage(s));
    else out.unknown = true;
  }
  for (const q of e.subqueries) for (const o of outputsOf(q)) merge(out, o);
  return out;
}

/** Outputs of a query with names where the query gives them (alias or a plain column). */
function namedOutputs(
  model: QueryModel,
): { name?: string; lineage: OutputLineage }[] {
  const lineages = outputsOf(model);
  return model.outputs.map((o, i) => ({
    name: o.expr ? outputName(o.expr) : undefined,
    lineage: lineages[i] ?? newLineage(),
  }));
}

const NAMES = new WeakMap<ExprInfo, string>();

/** Records the name an output has (its alias, or the column it reads). */
export function nameOutput(e: ExprInfo, name: string | undefined) {
  if (name) NAMES.set(e, lower(name));
}

function outputName(e: ExprInfo): string | undefined {
  return NAMES.get(e);
}

/**
 * Lineage of each output of a query, `*` expanded over sub-queries and
 * kept as one `starOf` entry per base table (the server knows how many
 * columns it has). Set operations: each output derives from every branch.
 */
const computing = new Set<QueryModel>();

export function outputsOf(model: QueryModel): OutputLineage[] {
  // a query that (through its names) refers to itself: follow it no further
  if (computing.has(model))
    return model.outputs.map(() => ({ ...newLineage(), unknown: true }));
  computing.add(model);
  try {
    return computeOutputs(model);
  } finally {
    computing.delete(model);
  }
}

function computeOutputs(model: QueryModel): OutputLineage[] {
  const out: OutputLineage[] = [];
  for (const o of model.outputs) {
    if (o.expr) {
      out.push(exprLineage(o.expr, model));
      continue;
    }
    const sources = o.star?.qualifier
      ? [findSource(model, o.star.qualifier)].filter((s): s is QuerySource =>
          Boolean(s),
        )
      : model.sources;
    if (sources.length === 0) out.push({ ...newLineage(), unknown: true });
    for (const s of sources) {
      if (s.query) out.push(...outputsOf(s.query));
      else if (s.expr) out.push(exprLineage(s.expr, undefined));
      else if (s.table) {
        const c =
          s.table && !s.table.schema ? cte(model, s.table.name) : undefined;
        if (c) out.push(...outputsOf(c));
        else out.push({ ...newLineage(), starOf: lower(s.table.name) });
      }
    }
  }
  if (model.unions.length > 0) {
    const all = newLineage();
    const branches = [out, ...model.unions.map(outputsOf)];
    for (const b of branches) for (const l of b) merge(all, l);
    // a branch with `*` over a table cannot be aligned: every output gets everything
    const aligned = branches.every(
      b => b.length === out.length && b.every(l => !l.starOf),
    );
    return out.map((_l, i) => {
      if (!aligned)
        return {
          ...all,
          columns: new Set(all.columns),
          tables: new Set(all.tables),
        };
      const m = newLineage();
      for (const b of branches) merge(m, b[i]);
      return m;
    });
  }
  return out;
}

/** Every base column and whole table a query filters, joins, groups or sorts on. */
export function filterLineage(model: QueryModel): OutputLineage {
  const out = newLineage();
  const seen = new Set<QueryModel>();
  function visitExpr(e: ExprInfo, q: QueryModel) {
    for (const f of e.filters) merge(out, exprLineage(f, q));
    // eslint-disable-next-line @typescript-eslint/no-use-before-define
    for (const sub of e.subqueries) visitQuery(sub);
  }
  function visitQuery(q: QueryModel) {
    if (seen.has(q)) return;
    seen.add(q);
    for (const f of q.filters) {
      merge(out, exprLineage(f, q));
      for (const sub of f.subqueries) {
        // a sub-query in a filter: all it reads is filtering
        for (const o of outputsOf(sub)) merge(out, o);
        visitQuery(sub);
      }
      visitExpr(f, q);
    }
    for (const o of q.outputs) if (o.expr) visitExpr(o.expr, q);
    for (const s of q.sources) {
      if (s.query) visitQuery(s.query);
      if (s.expr) visitExpr(s.expr, q);
    }
    q.ctes.forEach(visitQuery);
    q.unions.forEach(visitQuery);
  }
  visitQuery(model);
  return out;
}
