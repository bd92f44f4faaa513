import {
  type DmlPart,
  exprColumns,
  type StatementFacts,
  type StatementKind,
  tautology,
} from './facts';
import { alterTable, columnDef, UNTRUSTED_LANGUAGES } from './pgDdl';
import { names, pgExpr, pgNode, rangeVarTable, walkPg } from './pgTree';

function dmlPart(type: string, b: any, inCte: boolean): DmlPart | undefined {
  const verbs: Record<string, DmlPart['verb']> = {
    UpdateStmt: 'update',
    DeleteStmt: 'delete',
    InsertStmt: 'insert',
    MergeStmt: 'merge',
  };
  const verb = verbs[type];
  if (!verb) return undefined;
  const table = rangeVarTable(b.relation);
  const where = b.whereClause ? pgExpr(b.whereClause) : undefined;
  return {
    verb,
    table,
    multiTable:
      verb === 'merge' ||
      (b.fromClause?.length ?? 0) > 0 ||
      (b.usingClause?.length ?? 0) > 0,
    hasWhere: Boolean(b.whereClause),
    tautology: tautology(where),
    whereColumns: [...new Set(exprColumns(where))],
    inCte,
  };
}

const KIND: Record<string, [StatementKind, string]> = {
  SelectStmt: ['select', 'SELECT'],
  InsertStmt: ['insert', 'INSERT'],
  UpdateStmt: ['update', 'UPDATE'],
  DeleteStmt: ['delete', 'DELETE'],
  MergeStmt: ['merge', 'MERGE'],
  CreateStmt: ['create', 'CREATE TABLE'],
  CreateTableAsStmt: ['create', 'CREATE TABLE AS'],
  IndexStmt: ['create', 'CREATE INDEX'],
  ViewStmt: ['create', 'CREATE VIEW'],
  CreateSeqStmt: ['create', 'CREATE SEQUENCE'],
  CreateSchemaStmt: ['create', 'CREATE SCHEMA'],
  CreateEnumStmt: ['create', 'CREATE TYPE'],
  CompositeTypeStmt: ['create', 'CREATE TYPE'],
  CreateDomainStmt: ['create', 'CREATE DOMAIN'],
  CreateFunctionStmt: ['create', 'CREATE FUNCTION'],
  CreateTrigStmt: ['create', 'CREATE TRIGGER'],
  AlterTableStmt: ['alter', 'ALTER TABLE'],
  AlterSeqStmt: ['alter', 'ALTER SEQUENCE'],
  AlterEnumStmt: ['alter', 'ALTER TYPE'],
  DropStmt: ['drop', 'DROP'],
  TruncateStmt: ['truncate', 'TRUNCATE'],
  RenameStmt: ['rename', 'ALTER ... RENAME'],
  CommentStmt: ['comment', 'COMMENT'],
};

/** Statement types refused by a rule of their own, with what they are. */
const BLOCKED: Record<string, [string, string]> = {
  DoStmt: [
    'dynamic-sql',
    'DO runs a procedural block the review cannot see into',
  ],
  ExecuteStmt: [
    'dynamic-sql',
    'EXECUTE runs a prepared statement the review never saw',
  ],
  PrepareStmt: [
    'dynamic-sql',
    'PREPARE stores a statement to run later, outside the review',
  ],
  DeallocateStmt: ['dynamic-sql', 'DEALLOCATE manages prepared statements'],
  CallStmt: [
    'dynamic-sql',
    'CALL runs a stored procedure the review cannot see into',
  ],
  CopyStmt: [
    'server-files-and-programs',
    'COPY reads or writes server files, runs programs or streams data outside the review',
  ],
  LoadStmt: [
    'server-files-and-programs',
    'LOAD loads a shared library into the server',
  ],
  GrantStmt: ['privilege-change', 'GRANT/REVOKE change privileges'],
  GrantRoleStmt: [
    'privilege-change',
    'GRANT/REVOKE of a role changes privileges',
  ],
  CreateRoleStmt: ['privilege-change', 'CREATE ROLE/USER'],
  AlterRoleStmt: ['privilege-change', 'ALTER ROLE/USER'],
  AlterRoleSetStmt: ['privilege-change', 'ALTER ROLE ... SET'],
  DropRoleStmt: ['privilege-change', 'DROP ROLE/USER'],
  AlterDefaultPrivilegesStmt: ['privilege-change', 'ALTER DEFAULT PRIVILEGES'],
  ReassignOwnedStmt: ['privilege-change', 'REASSIGN OWNED'],
  DropOwnedStmt: ['privilege-change', 'DROP OWNED'],
  AlterOwnerStmt: ['privilege-change', 'ALTER ... OWNER TO'],
  CreatePolicyStmt: ['privilege-change', 'CREATE POLICY (row-level security)'],
  AlterPolicyStmt: ['privilege-change', 'ALTER POLICY (row-level security)'],
  AlterSystemStmt: [
    'session-settings',
    'ALTER SYSTEM changes the server configuration',
  ],
  AlterDatabaseSetStmt: [
    'session-settings',
    'ALTER DATABASE ... SET changes settings',
  ],
  CreateExtensionStmt: ['extension-change', 'CREATE EXTENSION'],
  AlterExtensionStmt: ['extension-change', 'ALTER EXTENSION'],
  AlterExtensionContentsStmt: [
    'extension-change',
    'ALTER EXTENSION ... ADD/DROP',
  ],
  CreatePLangStmt: ['extension-change', 'CREATE LANGUAGE'],
  CreateFdwStmt: ['extension-change', 'CREATE FOREIGN DATA WRAPPER'],
  AlterFdwStmt: ['extension-change', 'ALTER FOREIGN DATA WRAPPER'],
  CreateForeignServerStmt: ['extension-change', 'CREATE SERVER'],
  AlterForeignServerStmt: ['extension-change', 'ALTER SERVER'],
  CreateUserMappingStmt: ['extension-change', 'CREATE USER MAPPING'],
  AlterUserMappingStmt: ['extension-change', 'ALTER USER MAPPING'],
  ImportForeignSchemaStmt: ['extension-change', 'IMPORT FOREIGN SCHEMA'],
  CreateEventTrigStmt: [
    'privilege-change',
    'CREATE EVENT TRIGGER runs code on every DDL',
  ],
};

const DROP_WHAT: Record<string, string> = {
  OBJECT_TABLE: 'TABLE',
  OBJECT_SCHEMA: 'SCHEMA',
  OBJECT_VIEW: 'VIEW',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_INDEX: 'INDEX',
  OBJECT_SEQUENCE: 'SEQUENCE',
  OBJECT_TYPE: 'TYPE',
  OBJECT_FUNCTION: 'FUNCTION',
  OBJECT_FOREIGN_TABLE: 'FOREIGN TABLE',
  OBJECT_EXTENSION: 'EXTENSION',
};

/**
 * What the review needs to know of one PostgreSQL statement (a libpg-query
 * node), for every rule of both engines and PostgreSQL's own.
 */
export function pgFacts(stmt: any): StatementFacts {
  const [type, b] = pgNode(stmt) ?? ['Unknown', {}];
  const facts: StatementFacts = {
    kind: KIND[type]?.[0] ?? 'other',
    verb: KIND[type]?.[1] ?? type.replace(/Stmt$/, '').toUpperCase(),
    tables: [],
    dml: [],
    functions: [],
    selectStar: false,
    insertWithoutColumns: false,
    hits: [],
  };
  const hit = (rule: string, message: string) =>
    facts.hits.push({ rule, message });
  const blocked = BLOCKED[type];
  if (blocked) hit(blocked[0], blocked[1]);

  // every function call, every write inside a WITH, every SELECT *
  const functions = new Set<string>();
  const cteWrites: DmlPart[] = [];
  walkPg(stmt, (t, body) => {
    if (t === 'FuncCall') {
      const n = names(body.funcname);
      if (n.length) functions.add(n[n.length - 1].toLowerCase());
    }
    if (t === 'CommonTableExpr') {
      const inner = pgNode(body.ctequery);
      const part = inner && dmlPart(inner[0], inner[1], true);
      if (part) cteWrites.push(part);
    }
    if (
      t === 'ResTarget' &&
      body.val?.ColumnRef?.fields?.some((f: any) => f.A_Star)
    ) {
      facts.selectStar = true;
    }
  });
  facts.functions = [...functions];
  if (
    type === 'SelectStmt' ||
    type === 'InsertStmt' ||
    type === 'UpdateStmt' ||
    type === 'DeleteStmt' ||
    type === 'MergeStmt'
  ) {
    // a SELECT * in RETURNING is not a column-order problem
    if (type !== 'SelectStmt' && type !== 'InsertStmt')
      facts.selectStar = false;
  }

  const top = dmlPart(type, b, false);
  if (top) facts.dml.push(top);
  facts.dml.push(...cteWrites);
  if (type === 'SelectStmt' && cteWrites.length > 0) {
    facts.kind = cteWrites[0].verb;
    facts.verb = `WITH ... ${cteWrites[0].verb.toUpperCase()}`;
  }
  for (const part of facts.dml) if (part.table) facts.tables.push(part.table);

  switch (type) {
    case 'SelectStmt':
      if (b.intoClause) {
        facts.kind = 'create';
        facts.verb = 'SELECT INTO';
        const t = rangeVarTable(b.intoClause.rel);
        if (t) facts.tables.push(t);
        facts.notReadOnly = 'SELECT ... INTO creates a table';
      } else if (cteWrites.length > 0) {
        facts.notReadOnly = `the WITH clause writes data (${cteWrites[0].verb.toUpperCase()})`;
      } else {
        walkPg(b, (t, body) => {
          if (t === 'LockingClause' && !facts.notReadOnly) {
            facts.notReadOnly = `${String(body.strength)
              .replace('LCS_', '')
              .replace('FOR', 'FOR ')} locks rows`;
          }
        });
      }
      break;
    case 'InsertStmt':
      facts.insertWithoutColumns = !(b.cols?.length > 0);
      break;
    case 'CreateStmt': {
      const table = rangeVarTable(b.relation);
      if (table) facts.tables.push(table);
      const elts: any[] = b.tableElts ?? [];
      const columns = elts
        .filter(e => e.ColumnDef)
        .map(e => columnDef(e.ColumnDef));
      const hasPrimaryKey = elts.some(
        e =>
          e.Constraint?.contype === 'CONSTR_PRIMARY' ||
          e.ColumnDef?.constraints?.some(
            (c: any) => c.Constraint?.contype === 'CONSTR_PRIMARY',
          ),
      );
      facts.createTable = {
        table: table?.name ?? '?',
        hasPrimaryKey:
          hasPrimaryKey ||
          Boolean(b.partbound) ||
          Boolean(b.inhRelations?.length),
        columns,
      };
      break;
    }
    case 'CreateTableAsStmt': {
      const t = rangeVarTable(b.into?.rel);
      if (t) facts.tables.push(t);
      break;
    }
    case 'IndexStmt': {
      const t = rangeVarTable(b.relation);
      if (t) facts.tables.push(t);
      if (!b.concurrent) {
        hit(
          'pg-index-without-concurrently',
          `CREATE INDEX on ${
            t?.name ?? '?'
          } without CONCURRENTLY blocks every write to the table while the index is built`,
        );
      }
      break;
    }
    case 'AlterTableStmt':
      alterTable(b, facts, hit);
      break;
    case 'DropStmt': {
      const what =
        DROP_WHAT[b.removeType] ?? String(b.removeType).replace('OBJECT_', '');
      facts.verb = `DROP ${what}`;
      const objects = (b.objects ?? []).map((o: any) =>
        names(o.List?.items ?? [o]).join('.'),
      );
      if (b.removeType === 'OBJECT_TABLE') {
        for (const o of b.objects ?? []) {
          const n = names(o.List?.items);
          if (n.length)
            facts.tables.push({
              name: n[n.length - 1],
              schema: n.length > 1 ? n[n.length - 2] : undefined,
            });
        }
      }
      if (b.removeType === 'OBJECT_EXTENSION')
        hit('extension-change', 'DROP EXTENSION');
      if (
        [
          'OBJECT_TABLE',
          'OBJECT_SCHEMA',
          'OBJECT_MATVIEW',
          'OBJECT_FOREIGN_TABLE',
          'OBJECT_SEQUENCE',
        ].includes(b.removeType)
      ) {
        facts.destructive = `DROP ${what} ${objects.join(
          ', ',
        )} removes data that cannot be rolled back`;
      } else if (b.removeType === 'OBJECT_INDEX' && !b.concurrent) {
        hit(
          'pg-index-without-concurrently',
          `DROP INDEX ${objects.join(
            ', ',
          )} without CONCURRENTLY blocks the table while it runs`,
        );
      }
      break;
    }
    case 'TruncateStmt': {
      for (const r of b.relations ?? []) {
        const t = rangeVarTable(r.RangeVar);
        if (t) facts.tables.push(t);
      }
      facts.destructive = `TRUNCATE ${facts.tables
        .map(t => t.name)
        .join(', ')} removes every row; it cannot be rolled back`;
      break;
    }
    case 'CommentStmt': {
      const n = names(b.object?.List?.items);
      if (b.objtype === 'OBJECT_COLUMN' && n.length >= 2) {
        facts.commentOnColumn = {
          table: n[n.length - 2],
          column: n[n.length - 1],
        };
      }
      break;
    }
    case 'CreateFunctionStmt': {
      const options: any[] = b.options ?? [];
      const language = options.find(o => o.DefElem?.defname === 'language')
        ?.DefElem?.arg?.String?.sval;
      if (language && UNTRUSTED_LANGUAGES.has(String(language).toLowerCase())) {
        hit(
          'server-files-and-programs',
          `a function in language ${language} runs code on the server with its operating-system rights`,
        );
      }
      if (
        options.some(
          o =>
            o.DefElem?.defname === 'security' &&
            o.DefElem?.arg?.Boolean?.boolval,
        )
      ) {
        hit(
          'privilege-change',
          "SECURITY DEFINER functions run with their owner's privileges",
        );
      }
      break;
    }
    case 'VariableSetStmt':
      if (['role', 'session_authorization'].includes(b.name)) {
        hit(
          'privilege-change',
          `SET ${String(b.name).toUpperCase()} changes who the session acts as`,
        );
      }
      break;
    case 'CreatedbStmt':
      break;
    case 'DropdbStmt':
      facts.destructive = `DROP DATABASE ${b.dbname}`;
      hit('privilege-change', 'DROP DATABASE');
      break;
    default:
  }
  if (!facts.notReadOnly && type !== 'SelectStmt') {
    facts.notReadOnly = `${facts.verb} is not a query`;
  }
  return facts;
}
