import { myColumnName } from './myFacts';
import {
  cte,
  emptyExpr,
  emptyModel,
  type ExprInfo,
  nameOutput,
  type QueryModel,
} from './queryModel';

/** The select inside a node-sql-parser sub-query wrapper, if it is one. */
function subSelect(node: any): any | undefined {
  if (node?.type === 'select') return node;
  if (node?.ast?.type === 'select') return node.ast;
  return undefined;
}

function myExprInfo(node: any, model: QueryModel): ExprInfo {
  const info = emptyExpr();
  const visit = (value: any) => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    const sub = subSelect(value);
    if (sub) {
      info.subqueries.push(myQuery(sub, model));
      return;
    }
    if (value.type === 'column_ref') {
      const column = myColumnName(value);
      if (column === '*') {
        if (value.table) info.wholeRows.push(value.table);
        else info.wholeRows.push(...model.sources.map(s => s.alias));
      } else if (column) {
        info.refs.push({ table: value.table ?? undefined, column });
      }
      return;
    }
    if (value.type === 'function' || value.type === 'aggr_func') {
      if (value.over) info.filters.push(myExprInfo(value.over, model));
      if (value.args?.orderby)
        info.filters.push(myExprInfo(value.args.orderby, model));
      if (value.filter) info.filters.push(myExprInfo(value.filter, model));
      visit(value.args?.expr ?? value.args);
      return;
    }
    for (const key of Object.keys(value)) {
      if (key !== 'over') visit(value[key]);
    }
  };
  visit(node);
  return info;
}

/** The model of a node-sql-parser SELECT tree. */
export function myQuery(ast: any, parent?: QueryModel): QueryModel {
  const model = emptyModel(parent);
  if (!ast) return model;
  for (const w of Array.isArray(ast.with) ? ast.with : []) {
    const name = w?.name?.value ?? w?.name;
    const stmt = subSelect(w?.stmt) ?? subSelect(w?.stmt?.ast);
    if (typeof name === 'string' && stmt)
      model.ctes.set(name.toLowerCase(), myQuery(stmt, model));
  }
  for (const item of Array.isArray(ast.from) ? ast.from : []) {
    const sub = subSelect(item.expr);
    if (sub) {
      model.sources.push({
        alias: item.as ?? '?subquery',
        query: myQuery(sub, model),
      });
    } else if (typeof item.table === 'string') {
      const named = !item.db ? cte(model, item.table) : undefined;
      model.sources.push({
        alias: item.as ?? item.table,
        ...(named
          ? { query: named }
          : { table: { schema: item.db ?? undefined, name: item.table } }),
      });
    } else {
      model.sources.push({
        alias: item.as ?? '?other',
        expr: myExprInfo(item, model),
      });
    }
    if (item.on) model.filters.push(myExprInfo(item.on, model));
    for (const u of Array.isArray(item.using) ? item.using : []) {
      const column = typeof u === 'string' ? u : myColumnName(u) ?? u?.value;
      if (column)
        model.filters.push({
          ...emptyExpr(),
          refs: [{ column: String(column) }],
        });
    }
  }
  const columns =
    ast.columns === '*'
      ? [{ expr: { type: 'column_ref', column: '*' } }]
      : ast.columns ?? [];
  for (const c of columns) {
    const expr = c.expr;
    if (expr?.type === 'column_ref' && myColumnName(expr) === '*') {
      model.outputs.push({ star: { qualifier: expr.table ?? undefined } });
      continue;
    }
    const info = myExprInfo(expr, model);
    const alias = typeof c.as === 'string' ? c.as : c.as?.value;
    nameOutput(
      info,
      alias ?? (expr?.type === 'column_ref' ? myColumnName(expr) : undefined),
    );
    model.outputs.push({ expr: info });
  }
  for (const clause of [
    ast.where,
    ast.groupby,
    ast.having,
    ast.orderby,
    ast.limit,
    ast.window,
    ast.distinct?.columns,
  ]) {
    if (clause) model.filters.push(myExprInfo(clause, model));
  }
  for (let next = ast._next; next; next = next._next) {
    model.unions.push(myQuery({ ...next, _next: undefined }, model));
  }
  return model;
}
