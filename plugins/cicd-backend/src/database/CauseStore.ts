import type {
  CauseCategory,
  CauseInput,
  ListedCause,
} from '@opsdeck/plugin-cicd-common';
import type { Knex } from './migrations';

/** Stored causes rank above the generic built-in ones (at most 85). */
export const STORED_CAUSE_WEIGHT = 90;

const ID = /^user-([1-9][0-9]{0,11})$/;

interface CauseRow {
  id: number | string;
  name: string;
  category: string;
  patterns: string;
  runbook: string | null;
  created_by: string;
  created_at: number | string;
}

function toCause(row: CauseRow): ListedCause {
  return {
    id: `user-${Number(row.id)}`,
    source: 'stored',
    category: row.category as CauseCategory,
    title: { en: row.name, 'zh-CN': row.name },
    patterns: JSON.parse(row.patterns),
    weight: STORED_CAUSE_WEIGHT,
    runbook: row.runbook ?? '',
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/**
 * The causes people add to the failure locator's knowledge base, in the
 * plugin's database (`cicd_causes`). The input is validated by the caller
 * (CicdService): RE2 patterns, category, runbook URL. Every replica reads
 * the table at each locate, so a cause added on one is used by all.
 */
export class CauseStore {
  constructor(private readonly knex: Knex) {}

  /** Every stored cause, oldest first. */
  async list(): Promise<ListedCause[]> {
    const rows: CauseRow[] = await this.knex('cicd_causes')
      .select('*')
      .orderBy('id', 'asc');
    return rows.map(toCause);
  }

  async count(): Promise<number> {
    const [row] = await this.knex('cicd_causes').count({ n: '*' });
    return Number(row.n);
  }

  async add(
    input: CauseInput,
    createdBy: string,
    now = Date.now(),
  ): Promise<ListedCause> {
    const [row] = await this.knex('cicd_causes')
      .insert({
        name: input.name,
        category: input.category,
        patterns: JSON.stringify(input.patterns),
        runbook: input.runbook ?? null,
        created_by: createdBy,
        created_at: now,
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    const stored: CauseRow = await this.knex('cicd_causes')
      .where({ id })
      .first();
    return toCause(stored);
  }

  /** The stored cause with this id (`user-<n>`), if any. */
  async get(id: string): Promise<ListedCause | undefined> {
    const n = ID.exec(id)?.[1];
    if (!n) return undefined;
    const row: CauseRow | undefined = await this.knex('cicd_causes')
      .where({ id: Number(n) })
      .first();
    return row ? toCause(row) : undefined;
  }

  /** Deletes a stored cause; false when there is none with this id. */
  async delete(id: string): Promise<boolean> {
    const n = ID.exec(id)?.[1];
    if (!n) return false;
    const deleted = await this.knex('cicd_causes')
      .where({ id: Number(n) })
      .delete();
    return deleted > 0;
  }
}
