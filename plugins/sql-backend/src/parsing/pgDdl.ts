import type { AlterAction, ColumnDef, StatementFacts } from './facts';
import { names, rangeVarTable, walkPg } from './pgTree';

/** ALTER TABLE and column definitions of PostgreSQL statements, for the review rules. */

const VOLATILE_DEFAULTS = new Set([
  'random',
  'clock_timestamp',
  'timeofday',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v4',
  'nextval',
]);
const SERIAL_TYPES = new Set([
  'serial',
  'bigserial',
  'smallserial',
  'serial4',
  'serial8',
  'serial2',
]);
export const UNTRUSTED_LANGUAGES = new Set([
  'c',
  'internal',
  'plpythonu',
  'plpython2u',
  'plpython3u',
  'plperlu',
  'pltclu',
  'plsh',
  'plv8u',
]);

function typeName(tn: any): { dataType: string; length?: number } {
  const parts = names(tn?.names).filter(p => p !== 'pg_catalog');
  const mod = tn?.typmods?.[0]?.A_Const?.ival?.ival;
  return { dataType: parts.join('.').toLowerCase(), length: mod };
}

export function columnDef(def: any): ColumnDef {
  const constraints = (def.constraints ?? []).map(
    (c: any) => c.Constraint?.contype,
  );
  return {
    name: def.colname,
    hasComment: false,
    notNull:
      constraints.includes('CONSTR_NOTNULL') ||
      constraints.includes('CONSTR_PRIMARY'),
    hasDefault:
      constraints.includes('CONSTR_DEFAULT') ||
      constraints.includes('CONSTR_IDENTITY') ||
      constraints.includes('CONSTR_GENERATED'),
  };
}

export function alterTable(
  b: any,
  facts: StatementFacts,
  hit: (rule: string, message: string) => void,
) {
  const table = rangeVarTable(b.relation);
  if (table) facts.tables.push(table);
  const name = table?.name ?? '?';
  if (b.objtype && b.objtype !== 'OBJECT_TABLE') {
    facts.verb = `ALTER ${String(b.objtype).replace('OBJECT_', '')}`;
  }
  const actions: AlterAction[] = [];
  for (const c of b.cmds ?? []) {
    const cmd = c.AlterTableCmd;
    if (!cmd) continue;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = cmd.def?.ColumnDef;
        if (!def) break;
        actions.push({ action: 'add-column', column: columnDef(def) });
        const type = typeName(def.typeName).dataType;
        const constraints: any[] = (def.constraints ?? []).map(
          (x: any) => x.Constraint,
        );
        const defaultExpr = constraints.find(
          x => x?.contype === 'CONSTR_DEFAULT',
        )?.raw_expr;
        const volatile: string[] = [];
        walkPg(defaultExpr, (t, body) => {
          if (t === 'FuncCall') {
            const n = names(body.funcname);
            if (VOLATILE_DEFAULTS.has(n[n.length - 1]?.toLowerCase()))
              volatile.push(n[n.length - 1]);
          }
        });
        if (volatile.length) {
          hit(
            'pg-volatile-default',
            `ADD COLUMN ${def.colname} DEFAULT ${volatile[0]}() is volatile: PostgreSQL rewrites ${name} under an exclusive lock`,
          );
        } else if (SERIAL_TYPES.has(type)) {
          hit(
            'pg-volatile-default',
            `ADD COLUMN ${def.colname} ${type} fills every row from a sequence: PostgreSQL rewrites ${name} under an exclusive lock`,
          );
        } else if (
          constraints.some(
            x =>
              x?.contype === 'CONSTR_IDENTITY' ||
              x?.contype === 'CONSTR_GENERATED',
          )
        ) {
          hit(
            'pg-volatile-default',
            `ADD COLUMN ${def.colname} (identity or generated) rewrites ${name} under an exclusive lock`,
          );
        }
        break;
      }
      case 'AT_SetNotNull':
        actions.push({ action: 'set-not-null', column: cmd.name });
        break;
      case 'AT_AlterColumnType': {
        const t = typeName(cmd.def?.ColumnDef?.typeName);
        actions.push({
          action: 'type',
          column: cmd.name,
          dataType: t.dataType,
          length: t.length,
        });
        break;
      }
      case 'AT_DropColumn':
        actions.push({ action: 'drop-column', column: cmd.name });
        facts.destructive = `ALTER TABLE ${name} DROP COLUMN ${cmd.name} removes data that cannot be rolled back`;
        break;
      case 'AT_AddConstraint': {
        const con = cmd.def?.Constraint;
        if (
          (con?.contype === 'CONSTR_FOREIGN' ||
            con?.contype === 'CONSTR_CHECK') &&
          !con.skip_validation
        ) {
          hit(
            'pg-constraint-without-not-valid',
            `ADD ${
              con.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK'
            } on ${name} without NOT VALID checks every row while holding a lock; add it NOT VALID, then VALIDATE CONSTRAINT`,
          );
        }
        break;
      }
      case 'AT_ChangeOwner':
        hit(
          'privilege-change',
          `ALTER TABLE ${name} OWNER TO changes who owns the table`,
        );
        break;
      case 'AT_DisableRowSecurity':
      case 'AT_NoForceRowSecurity':
        hit('privilege-change', `row-level security of ${name} is turned off`);
        break;
      default:
    }
  }
  facts.alter = actions;
}
