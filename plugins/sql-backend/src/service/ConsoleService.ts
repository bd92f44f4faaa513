import { InputError } from '@backstage/errors';
import type { SqlInstance } from '../catalog/instances';
import {
  derivedMasks,
  maskedFilterColumns,
  queryModel,
  type TableColumns,
} from '../console/lineage';
import type { Masker, MaskingRule } from '../console/masking';
import type { SqlStore } from '../database/SqlStore';
import { sqlDriver } from '../engines';
import { mongoReadOnlyQuery, parseMongoRead } from '../engines/mongodb';
import { runRedisCommand, splitRedisCommand } from '../engines/redis';
import type { Actor, ConsoleLimits, MaskedFilterPolicy } from '../model';
import { parseScript, statementFacts } from '../parsing';
import { deniedFunction, FAMILY_RULE } from '../parsing/denyList';
import type { InstanceAccess } from './instanceAccess';

/** A statement the console refuses, with the rule that refused it. */
export class StatementRefusedError extends InputError {
  constructor(readonly rule: string, message: string) {
    super(`Refused by ${rule}: ${message}`);
  }
}

/** Rules the console names when it refuses (shown on the rules page). */
export const CONSOLE_RULES = [
  'one-statement',
  'parse-error',
  'read-only',
  'masked-filter',
  'dynamic-sql',
  'server-files-and-programs',
  'privilege-change',
  'extension-change',
  'sleep-kill-or-lock',
  'session-settings',
] as const;

const BLOCKING = new Set(CONSOLE_RULES);

export interface ConsoleResult {
  columns: string[];
  rows: (string | null)[][];
  maskedColumns: string[];
  truncated: boolean;
  durationMs: number;
  /** Masked columns the query filtered on, when the policy audits instead of refusing. */
  maskedFilter?: string[];
}

/** The read-only query console (SQL, Redis, MongoDB): masked, limited, logged. */
export class ConsoleService {
  constructor(
    private readonly deps: {
      store: SqlStore;
      access: InstanceAccess;
      masker: Masker;
      limits: ConsoleLimits;
      maskedFilter?: MaskedFilterPolicy;
    },
  ) {}

  /** Whether the actor may use the console on this instance (the annotation narrows it). */
  mayQuery(actor: Actor, instance: SqlInstance): boolean {
    if (!instance.queryAccess) return true;
    return instance.queryAccess.some(ref => actor.ownership.includes(ref));
  }

  /**
   * Checks a SQL console statement with the engine's own parser and runs it
   * read-only with the instance's read credential: exactly one plain
   * SELECT, no denied function anywhere in it, no filtering on masked
   * columns (unless the policy audits), results masked by name, value and
   * lineage.
   */
  private async sqlQuery(
    actor: Actor,
    instance: SqlInstance,
    sql: string,
    database: string | undefined,
    maxRows: number,
  ) {
    const { access, masker } = this.deps;
    const engine = access.sqlEngine(instance);
    const driver = sqlDriver(engine);
    let touchesMasked = false;
    try {
      return await access.withSession(
        instance,
        'db-read',
        database,
        actor.userRef,
        async session => {
          const mode = await driver.lexicalMode(session);
          const parsed = await parseScript(engine, sql, mode);
          if (parsed.length !== 1) {
            throw new StatementRefusedError(
              'one-statement',
              `the console runs exactly one statement, found ${parsed.length}`,
            );
          }
          const [statement] = parsed;
          const facts = statementFacts(engine, statement);
          for (const name of facts.functions) {
            const denied = deniedFunction(engine, name);
            if (denied) {
              throw new StatementRefusedError(
                FAMILY_RULE[denied.family],
                `${name}() can ${denied.why}`,
              );
            }
          }
          const own = facts.hits.find(h => BLOCKING.has(h.rule as any));
          if (own) throw new StatementRefusedError(own.rule, own.message);
          if (!statement.ast) {
            throw new StatementRefusedError(
              'parse-error',
              `cannot parse as ${engine}: ${statement.error}`,
            );
          }
          if (facts.kind !== 'select' || facts.notReadOnly) {
            throw new StatementRefusedError(
              'read-only',
              `${
                facts.notReadOnly ?? `${facts.verb} is not a query`
              }; changes go through a reviewed change`,
            );
          }
          const columnsCache = new Map<string, Promise<string[] | undefined>>();
          const tableColumns: TableColumns = table => {
            let c = columnsCache.get(table);
            if (!c) {
              c = driver.tableColumns(session, table);
              columnsCache.set(table, c);
            }
            return c;
          };
          const model = actor.unmask
            ? undefined
            : queryModel(engine, statement);
          let maskedFilter: string[] | undefined;
          if (model && masker.hasColumnRules) {
            const filtered = await maskedFilterColumns(
              model,
              masker,
              tableColumns,
            );
            if (filtered.length > 0) {
              touchesMasked = true;
              if ((this.deps.maskedFilter ?? 'refuse') === 'refuse') {
                throw new StatementRefusedError(
                  'masked-filter',
                  `the query filters, joins, groups or sorts on masked column(s) ${filtered.join(
                    ', ',
                  )}: that would reveal what masking hides`,
                );
              }
              maskedFilter = filtered;
            }
          }
          const res = await driver.readOnlyQuery(session, statement.sql, {
            maxRows,
            timeoutMs: this.deps.limits.timeoutMs,
          });
          let derived: (MaskingRule | undefined)[] = [];
          if (model && masker.hasColumnRules) {
            derived = await derivedMasks(
              model,
              res.columns,
              masker,
              tableColumns,
            );
            touchesMasked = touchesMasked || derived.some(Boolean);
          }
          return { ...res, derived, maskedFilter };
        },
      );
    } catch (error) {
      if (error instanceof StatementRefusedError || actor.unmask) throw error;
      // a database error about masked data may quote the value
      (error as Error).message = masker.maskText(
        (error as Error).message,
        touchesMasked,
      );
      throw error;
    }
  }

  /** A read-only, masked, limited query; always logged. */
  async query(
    actor: Actor,
    instance: SqlInstance,
    input: { database?: string; sql: string; maxRows?: number },
  ): Promise<ConsoleResult> {
    const started = Date.now();
    const maxRows = Math.min(
      input.maxRows ?? this.deps.limits.maxRows,
      this.deps.limits.maxRows,
    );
    const log = (extra: { rowCount?: number; error?: string }) =>
      this.deps.store.logQuery({
        userRef: actor.userRef,
        instanceRef: instance.ref,
        database: input.database ?? instance.database,
        statement: input.sql,
        durationMs: Date.now() - started,
        ...extra,
      });
    try {
      let columns: string[];
      let rows: (string | null)[][];
      let truncated = false;
      let derived: (MaskingRule | undefined)[] = [];
      let maskedFilter: string[] | undefined;
      if (instance.engine === 'redis') {
        const reply = await runRedisCommand(
          await this.deps.access.target(
            instance,
            'db-read',
            input.database,
            actor.userRef,
          ),
          splitRedisCommand(input.sql),
        );
        columns = ['value'];
        const list = Array.isArray(reply) ? reply : [reply];
        rows = list.map(v => [
          typeof v === 'string' || v === null ? v : JSON.stringify(v),
        ]);
      } else if (instance.engine === 'mongodb') {
        ({ columns, rows, truncated } = await mongoReadOnlyQuery(
          await this.deps.access.target(
            instance,
            'db-read',
            input.database,
            actor.userRef,
          ),
          parseMongoRead(input.sql),
          { maxRows, timeoutMs: this.deps.limits.timeoutMs },
        ));
      } else {
        ({ columns, rows, truncated, derived, maskedFilter } =
          await this.sqlQuery(
            actor,
            instance,
            input.sql,
            input.database,
            maxRows,
          ));
      }
      const masked = actor.unmask
        ? { rows, maskedColumns: [] as string[] }
        : this.deps.masker.apply(columns, rows, derived);
      await log({ rowCount: rows.length });
      return {
        columns,
        rows: masked.rows,
        maskedColumns: masked.maskedColumns,
        truncated,
        durationMs: Date.now() - started,
        ...(maskedFilter ? { maskedFilter } : {}),
      };
    } catch (error) {
      await log({ error: (error as Error).message });
      if (error instanceof StatementRefusedError) throw error;
      if ((error as Error).name === 'Error' || (error as any).code) {
        // the database refused it (read-only, timeout, syntax): the caller's problem
        throw new InputError(`The query failed: ${(error as Error).message}`);
      }
      throw error;
    }
  }
}
