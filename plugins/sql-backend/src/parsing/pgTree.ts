import type { Expr } from './facts';
import type { TableRef } from './types';

/** The type and body of a libpg-query node (`{ SelectStmt: {...} }`). */
export function pgNode(node: any): [string, any] | undefined {
  if (!node || typeof node !== 'object' || Array.isArray(node))
    return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1 || !/^[A-Z]/.test(keys[0])) return undefined;
  return [keys[0], node[keys[0]]];
}

/** Calls `visit` for every node below `value` (and `value` itself). */
export function walkPg(
  value: any,
  visit: (type: string, body: any) => void,
): void {
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walkPg(v, visit);
    return;
  }
  const node = pgNode(value);
  if (node) visit(node[0], node[1]);
  for (const key of Object.keys(value)) walkPg(value[key], visit);
}

export const str = (n: any): string | undefined => n?.String?.sval;

/** Names of a qualified-name list (`[{String}, {String}]`). */
export function names(list: any[] | undefined): string[] {
  return (list ?? []).map(str).filter((s): s is string => s !== undefined);
}

export function rangeVarTable(rv: any): TableRef | undefined {
  if (!rv?.relname) return undefined;
  return {
    schema: rv.schemaname,
    name: rv.relname,
    alias: rv.alias?.aliasname,
  };
}

/** The constant value of an A_Const. */
function constValue(c: any): string | number | boolean | null {
  if (c.isnull) return null;
  if (c.ival) return c.ival.ival ?? 0;
  if ('ival' in c) return 0;
  if (c.fval) return Number(c.fval.fval);
  if (c.boolval) return c.boolval.boolval ?? false;
  if ('boolval' in c) return false;
  if (c.sval) return c.sval.sval ?? '';
  if (c.bsval) return c.bsval.bsval;
  return null;
}

const OPS: Record<string, string> = { '~~': 'like', '~~*': 'like' };

/** The engine-neutral view of a PostgreSQL expression. */
export function pgExpr(node: any): Expr {
  const n = pgNode(node);
  if (!n) return { k: 'other', args: [] };
  const [type, b] = n;
  switch (type) {
    case 'A_Const':
      return { k: 'const', v: constValue(b) };
    case 'TypeCast':
      return pgExpr(b.arg);
    case 'ColumnRef': {
      const fields = names(b.fields);
      return fields.length === 0
        ? { k: 'other', args: [] }
        : {
            k: 'col',
            name: fields[fields.length - 1],
            table: fields.length > 1 ? fields[fields.length - 2] : undefined,
          };
    }
    case 'BoolExpr':
      return {
        k: 'op',
        op: ({ AND_EXPR: 'and', OR_EXPR: 'or', NOT_EXPR: 'not' } as any)[
          b.boolop
        ],
        args: (b.args ?? []).map(pgExpr),
      };
    case 'A_Expr': {
      const op = names(b.name)[0] ?? '';
      if (b.kind === 'AEXPR_IN' && op === '=') {
        const list: any[] =
          b.rexpr?.List?.items ??
          (Array.isArray(b.rexpr) ? b.rexpr : [b.rexpr]);
        return {
          k: 'op',
          op: 'in',
          args: [pgExpr(b.lexpr), ...list.map(pgExpr)],
        };
      }
      if (
        b.kind === 'AEXPR_OP' ||
        b.kind === 'AEXPR_LIKE' ||
        b.kind === 'AEXPR_ILIKE'
      ) {
        return {
          k: 'op',
          op: OPS[op] ?? (b.kind === 'AEXPR_OP' ? op : 'like'),
          args: [b.lexpr, b.rexpr].filter(Boolean).map(pgExpr),
        };
      }
      return {
        k: 'other',
        args: [b.lexpr, b.rexpr].filter(Boolean).map(pgExpr),
      };
    }
    case 'NullTest':
      return {
        k: 'op',
        op: b.nulltesttype === 'IS_NOT_NULL' ? 'is not null' : 'is null',
        args: [pgExpr(b.arg)],
      };
    default: {
      // keep the columns of anything else (functions, sub-selects ...)
      const cols: Expr[] = [];
      walkPg(b, (t, body) => {
        if (t === 'ColumnRef') cols.push(pgExpr({ ColumnRef: body }));
      });
      return { k: 'other', args: cols };
    }
  }
}
