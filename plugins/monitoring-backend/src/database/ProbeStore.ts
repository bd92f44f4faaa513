import type {
  Probe,
  ProbeKind,
  ProbeScriptLanguage,
} from '@opsdeck/plugin-monitoring-common';
import type { Knex } from 'knex';

/** A probe as stored: the interval in seconds. */
export interface StoredProbe extends Omit<Probe, 'interval'> {
  intervalSeconds: number;
}

export type NewProbe = Omit<StoredProbe, 'id' | 'createdBy' | 'createdAt'>;

type ProbeRow = {
  id: number;
  entity_ref: string;
  kind: ProbeKind;
  target: string;
  expect_status: number | null;
  body_regex: string | null;
  script: string | null;
  script_language: ProbeScriptLanguage | null;
  interval_seconds: number;
  created_by: string;
  created_at: number | string;
  deleted: boolean | number;
};

const toProbe = (r: ProbeRow): StoredProbe => ({
  id: Number(r.id),
  entityRef: r.entity_ref,
  kind: r.kind,
  target: r.target,
  ...(r.expect_status !== null && r.expect_status !== undefined
    ? { expectStatus: Number(r.expect_status) }
    : {}),
  ...(r.body_regex ? { bodyRegex: r.body_regex } : {}),
  ...(r.script !== null && r.script !== undefined ? { script: r.script } : {}),
  ...(r.script_language ? { language: r.script_language } : {}),
  intervalSeconds: Number(r.interval_seconds),
  createdBy: r.created_by,
  createdAt: new Date(Number(r.created_at)).toISOString(),
});

/**
 * The columns of what a probe checks: toProbe's inverse, less the id and
 * the creator and creation time.
 */
const probeColumns = (probe: NewProbe) => ({
  entity_ref: probe.entityRef,
  kind: probe.kind,
  target: probe.target,
  expect_status: probe.expectStatus ?? null,
  body_regex: probe.bodyRegex ?? null,
  script: probe.script ?? null,
  script_language: probe.language ?? null,
  interval_seconds: probe.intervalSeconds,
});

/**
 * Probes. Every change runs `publish` with the probes as they will be
 * inside the transaction (the blackbox module file is written and
 * reloaded there): when publishing fails nothing is kept.
 */
export class ProbeStore {
  constructor(private readonly db: Knex) {}

  async list(
    filter: { entityRef?: string } = {},
    tx: Knex = this.db,
  ): Promise<StoredProbe[]> {
    const rows = await tx<ProbeRow>('monitoring_probes')
      .where({ deleted: false })
      .modify(q => {
        if (filter.entityRef) q.where({ entity_ref: filter.entityRef });
      })
      .orderBy('id');
    return rows.map(toProbe);
  }

  async get(id: number): Promise<StoredProbe | undefined> {
    const row = await this.db<ProbeRow>('monitoring_probes')
      .where({ id, deleted: false })
      .first();
    return row ? toProbe(row) : undefined;
  }

  async create(
    probe: NewProbe,
    by: string,
    at: Date,
    publish: (probes: StoredProbe[]) => Promise<void>,
  ): Promise<StoredProbe> {
    return this.db.transaction(async tx => {
      const [row] = await tx('monitoring_probes')
        .insert({
          ...probeColumns(probe),
          created_by: by,
          created_at: at.getTime(),
        })
        .returning('id');
      const id = Number(typeof row === 'object' ? row.id : row);
      await publish(await this.list({}, tx));
      return toProbe(
        (await tx<ProbeRow>('monitoring_probes').where({ id }).first())!,
      );
    });
  }

  /**
   * Replaces what a probe checks (entity, kind, target, expectations,
   * script, interval); its id, creator and creation time stay. Undefined when there
   * is no such probe (or it was deleted meanwhile).
   */
  async update(
    id: number,
    probe: NewProbe,
    publish: (probes: StoredProbe[]) => Promise<void>,
  ): Promise<StoredProbe | undefined> {
    return this.db.transaction(async tx => {
      const count = await tx('monitoring_probes')
        .where({ id, deleted: false })
        .update(probeColumns(probe));
      if (!count) return undefined;
      await publish(await this.list({}, tx));
      return toProbe(
        (await tx<ProbeRow>('monitoring_probes').where({ id }).first())!,
      );
    });
  }

  /** Marks a probe deleted; false when there is none. */
  async delete(
    id: number,
    by: string,
    at: Date,
    publish: (probes: StoredProbe[]) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const count = await tx('monitoring_probes')
        .where({ id, deleted: false })
        .update({ deleted: true, deleted_by: by, deleted_at: at.getTime() });
      if (!count) return false;
      await publish(await this.list({}, tx));
      return true;
    });
  }
}
