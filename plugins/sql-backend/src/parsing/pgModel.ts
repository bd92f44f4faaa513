import { pgNode } from './pgTree';
import {
  cte,
  emptyExpr,
  emptyModel,
  type ExprInfo,
  nameOutput,
  type QueryModel,
} from './queryModel';

const str = (n: any): string | undefined => n?.String?.sval;

/** The columns, rows and sub-queries an expression reads. */
function pgExprInfo(node: any, model: QueryModel): ExprInfo {
  const info = emptyExpr();
  const visit = (value: any) => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    const n = pgNode(value);
    if (n) {
      const [type, b] = n;
      if (type === 'ColumnRef') {
        const fields: any[] = b.fields ?? [];
        const names = fields.map(str);
        const star = fields.some(f => f.A_Star);
        if (star) {
          if (names[0])
            info.wholeRows.push(names[names.length - 2] ?? names[0]);
          else info.wholeRows.push(...model.sources.map(s => s.alias));
          return;
        }
        const column = names[names.length - 1];
        if (!column) return;
        const table = names.length > 1 ? names[names.length - 2] : undefined;
        info.refs.push({ table, column });
        // a lone name that is also a FROM alias may be that whole row
        if (
          !table &&
          model.sources.some(
            s => s.alias.toLowerCase() === column.toLowerCase(),
          )
        ) {
          info.wholeRows.push(column);
        }
        return;
      }
      if (type === 'SubLink') {
        info.subqueries.push(pgQuery(b.subselect, model));
        // the test expression (x IN (...)) is read like any other
        visit(b.testexpr);
        return;
      }
      if (type === 'FuncCall') {
        const filters: any[] = [];
        if (b.over) filters.push(b.over.partitionClause, b.over.orderClause);
        if (b.agg_order) filters.push(b.agg_order);
        if (b.agg_filter) filters.push(b.agg_filter);
        for (const f of filters.filter(Boolean))
          info.filters.push(pgExprInfo(f, model));
        visit(b.args);
        return;
      }
    }
    for (const key of Object.keys(value)) visit(value[key]);
  };
  visit(node);
  return info;
}

function addFrom(item: any, model: QueryModel) {
  const n = pgNode(item);
  if (!n) return;
  const [type, b] = n;
  if (type === 'RangeVar') {
    const named = !b.schemaname ? cte(model, b.relname) : undefined;
    model.sources.push({
      alias: b.alias?.aliasname ?? b.relname,
      ...(named
        ? { query: named }
        : { table: { schema: b.schemaname, name: b.relname } }),
    });
  } else if (type === 'RangeSubselect') {
    model.sources.push({
      alias: b.alias?.aliasname ?? '?subquery',
      query: pgQuery(b.subquery, model),
    });
  } else if (type === 'RangeFunction') {
    model.sources.push({
      alias: b.alias?.aliasname ?? '?function',
      expr: pgExprInfo(b.functions, model),
    });
  } else if (type === 'JoinExpr') {
    addFrom(b.larg, model);
    addFrom(b.rarg, model);
    if (b.quals) model.filters.push(pgExprInfo(b.quals, model));
    for (const u of b.usingClause ?? []) {
      const column = str(u);
      if (column) model.filters.push({ ...emptyExpr(), refs: [{ column }] });
    }
  } else {
    // anything else in FROM (TABLESAMPLE, XMLTABLE ...): read it all
    model.sources.push({ alias: '?other', expr: pgExprInfo(b, model) });
  }
}

/** The model of a PostgreSQL SELECT (a `SelectStmt` node or its body). */
export function pgQuery(node: any, parent?: QueryModel): QueryModel {
  const n = pgNode(node);
  const b = n ? n[1] : node;
  const model = emptyModel(parent);
  if (!b) return model;
  for (const c of b.withClause?.ctes ?? []) {
    const expr = c.CommonTableExpr;
    if (expr?.ctename)
      model.ctes.set(expr.ctename.toLowerCase(), pgQuery(expr.ctequery, model));
  }
  if (b.op && b.op !== 'SETOP_NONE') {
    // the left branch names the outputs; every branch feeds each of them
    const left = pgQuery({ SelectStmt: b.larg }, model);
    const right = pgQuery({ SelectStmt: b.rarg }, model);
    model.outputs = left.outputs;
    model.sources = left.sources;
    model.filters = [...left.filters];
    left.ctes.forEach((v, k) => model.ctes.set(k, v));
    model.unions = [...left.unions, right, ...right.unions];
    for (const s of b.sortClause ?? [])
      model.filters.push(pgExprInfo(s, model));
    if (b.limitCount) model.filters.push(pgExprInfo(b.limitCount, model));
    return model;
  }
  for (const item of b.fromClause ?? []) addFrom(item, model);
  for (const t of b.targetList ?? []) {
    const target = t.ResTarget;
    if (!target) continue;
    const fields: any[] | undefined = target.val?.ColumnRef?.fields;
    if (fields?.some(f => f.A_Star)) {
      const names = fields.map(str).filter(Boolean) as string[];
      model.outputs.push({ star: { qualifier: names[names.length - 1] } });
      continue;
    }
    const expr = pgExprInfo(target.val, model);
    const plain = fields ? str(fields[fields.length - 1]) : undefined;
    nameOutput(expr, target.name ?? plain);
    model.outputs.push({ expr });
  }
  if (b.valuesLists) {
    for (const row of b.valuesLists)
      model.outputs.push({ expr: pgExprInfo(row, model) });
  }
  for (const clause of [
    b.whereClause,
    b.havingClause,
    b.groupClause,
    b.sortClause,
    b.distinctClause,
    b.windowClause,
    b.limitCount,
    b.limitOffset,
  ]) {
    if (clause) model.filters.push(pgExprInfo(clause, model));
  }
  return model;
}
