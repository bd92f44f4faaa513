import type { Knex } from 'knex';
import type { RuleParams, RuleScope, RuleTemplateId } from '../rules/templates';

/** An alert rule made from a template. */
export interface StoredRule {
  id: number;
  name: string;
  template: RuleTemplateId;
  scope: RuleScope;
  params: RuleParams;
  enabled: boolean;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

export type RuleInput = Pick<
  StoredRule,
  'name' | 'template' | 'scope' | 'params' | 'enabled'
>;

type RuleRow = {
  id: number;
  name: string;
  template: RuleTemplateId;
  scope: string;
  params: string;
  enabled: boolean | number;
  version: number;
  updated_by: string;
  updated_at: number | string;
  deleted: boolean | number;
};

const toRule = (r: RuleRow): StoredRule => ({
  id: Number(r.id),
  name: r.name,
  template: r.template,
  scope: JSON.parse(r.scope),
  params: JSON.parse(r.params),
  enabled: Boolean(r.enabled),
  version: Number(r.version),
  updatedBy: r.updated_by,
  updatedAt: new Date(Number(r.updated_at)).toISOString(),
});

/** Rules and their versions; every write is a new version in one transaction. */
export class RuleStore {
  constructor(private readonly db: Knex) {}

  async list(tx: Knex = this.db): Promise<StoredRule[]> {
    const rows = await tx<RuleRow>('monitoring_rules')
      .where({ deleted: false })
      .orderBy('id');
    return rows.map(toRule);
  }

  async get(id: number, tx: Knex = this.db): Promise<StoredRule | undefined> {
    const row = await tx<RuleRow>('monitoring_rules')
      .where({ id, deleted: false })
      .first();
    return row ? toRule(row) : undefined;
  }

  /**
   * Writes a rule (new when `id` is undefined, else the next version; with
   * `deleted` the last version marks it deleted) and runs `publish` with the
   * rules as they will be, inside the transaction: when publishing fails
   * (promtool refuses the file, Prometheus does not reload) nothing is kept.
   */
  async write(
    change: { id?: number; input?: RuleInput; deleted?: boolean },
    by: string,
    at: Date,
    publish: (rules: StoredRule[]) => Promise<void>,
  ): Promise<StoredRule> {
    return this.db.transaction(async tx => {
      let id = change.id;
      let version = 1;
      const fields = change.input
        ? {
            name: change.input.name,
            template: change.input.template,
            scope: JSON.stringify(change.input.scope),
            params: JSON.stringify(change.input.params),
            enabled: change.input.enabled,
          }
        : {};
      if (id === undefined) {
        const [row] = await tx('monitoring_rules')
          .insert({
            ...fields,
            version,
            updated_by: by,
            updated_at: at.getTime(),
          })
          .returning('id');
        id = Number(typeof row === 'object' ? row.id : row);
      } else {
        const current = await tx<RuleRow>('monitoring_rules')
          .where({ id, deleted: false })
          .forUpdate()
          .first();
        if (!current) throw new Error('gone');
        version = Number(current.version) + 1;
        await tx('monitoring_rules')
          .where({ id })
          .update({
            ...fields,
            version,
            deleted: Boolean(change.deleted),
            updated_by: by,
            updated_at: at.getTime(),
          });
      }
      const row = (await tx<RuleRow>('monitoring_rules')
        .where({ id })
        .first())!;
      await tx('monitoring_rule_versions').insert({
        rule_id: id,
        version,
        content: JSON.stringify({
          ...toRule(row),
          deleted: Boolean(row.deleted),
        }),
        by,
        at: at.getTime(),
      });
      await publish(await this.list(tx));
      return toRule(row);
    });
  }

  async versions(id: number): Promise<
    Array<{
      version: number;
      by: string;
      at: string;
      rule: Record<string, unknown>;
    }>
  > {
    const rows = await this.db('monitoring_rule_versions')
      .where({ rule_id: id })
      .orderBy('version', 'desc');
    return rows.map(r => ({
      version: Number(r.version),
      by: r.by,
      at: new Date(Number(r.at)).toISOString(),
      rule: JSON.parse(r.content),
    }));
  }
}
