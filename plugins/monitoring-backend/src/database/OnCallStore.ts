import type {
  OnCallRotation,
  RotationInput,
  RotationOverride,
  RotationOverrideInput,
  RotationShift,
} from '@opsdeck/plugin-monitoring-common';
import type { Knex } from 'knex';

const ROTATIONS = 'monitoring_oncall_rotations';
const OVERRIDES = 'monitoring_oncall_overrides';

type RotationRow = {
  id: number;
  group_ref: string;
  name: string;
  members: string;
  shift_kind: RotationShift['kind'];
  shift_hours: number | null;
  handoff_time: string;
  time_zone: string;
  start_date: string;
  created_by: string;
  created_at: number | string;
  updated_by: string;
  updated_at: number | string;
};

type OverrideRow = {
  id: number;
  rotation_id: number;
  user_ref: string;
  start_at: number | string;
  end_at: number | string;
  created_by: string;
  created_at: number | string;
};

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

const toRotation = (r: RotationRow): OnCallRotation => ({
  id: Number(r.id),
  group: r.group_ref,
  name: r.name,
  members: JSON.parse(r.members),
  shift:
    r.shift_kind === 'hours'
      ? { kind: 'hours', hours: Number(r.shift_hours) }
      : { kind: r.shift_kind },
  handoffTime: r.handoff_time,
  timeZone: r.time_zone,
  startDate: r.start_date,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  updatedBy: r.updated_by,
  updatedAt: iso(r.updated_at),
});

const toOverride = (r: OverrideRow): RotationOverride => ({
  id: Number(r.id),
  rotationId: Number(r.rotation_id),
  user: r.user_ref,
  start: iso(r.start_at),
  end: iso(r.end_at),
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
});

const rotationColumns = (input: RotationInput) => ({
  group_ref: input.group,
  name: input.name.trim(),
  members: JSON.stringify(input.members),
  shift_kind: input.shift.kind,
  shift_hours: input.shift.kind === 'hours' ? input.shift.hours : null,
  handoff_time: input.handoffTime,
  time_zone: input.timeZone,
  start_date: input.startDate,
});

/** Why an override was not stored. */
export type OverrideRefusal = 'missing' | 'overlap';

/**
 * On-call rotations and their overrides (monitoring's own database). An
 * override is stored by ONE conditional INSERT (… where no override of the
 * rotation overlaps it), after the rotation's row is locked in the same
 * transaction, so of parallel overlapping overrides exactly one is kept.
 */
export class OnCallStore {
  constructor(private readonly db: Knex) {}

  async list(filter: { group?: string } = {}): Promise<OnCallRotation[]> {
    const rows = await this.db<RotationRow>(ROTATIONS)
      .modify(q => {
        if (filter.group) q.where({ group_ref: filter.group });
      })
      .orderBy(['group_ref', 'name', 'id']);
    return rows.map(toRotation);
  }

  async get(id: number): Promise<OnCallRotation | undefined> {
    const row = await this.db<RotationRow>(ROTATIONS).where({ id }).first();
    return row ? toRotation(row) : undefined;
  }

  /** A new rotation (a unique violation when the group has one of that name). */
  async create(
    input: RotationInput,
    by: string,
    at: Date,
  ): Promise<OnCallRotation> {
    const [row] = await this.db(ROTATIONS)
      .insert({
        ...rotationColumns(input),
        created_by: by,
        created_at: at.getTime(),
        updated_by: by,
        updated_at: at.getTime(),
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    return (await this.get(id))!;
  }

  /** Replaces a rotation's fields; undefined when there is none. */
  async update(
    id: number,
    input: RotationInput,
    by: string,
    at: Date,
  ): Promise<OnCallRotation | undefined> {
    const count = await this.db(ROTATIONS)
      .where({ id })
      .update({
        ...rotationColumns(input),
        updated_by: by,
        updated_at: at.getTime(),
      });
    return count ? this.get(id) : undefined;
  }

  /** Deletes a rotation with its overrides; false when there is none. */
  async delete(id: number): Promise<boolean> {
    return this.db.transaction(async tx => {
      await tx(OVERRIDES).where({ rotation_id: id }).delete();
      return (await tx(ROTATIONS).where({ id }).delete()) > 0;
    });
  }

  /** Overrides of rotations that end after `after` (all when absent), by start. */
  async overrides(
    rotationIds: number[],
    after?: Date,
  ): Promise<RotationOverride[]> {
    if (rotationIds.length === 0) return [];
    const rows = await this.db<OverrideRow>(OVERRIDES)
      .whereIn('rotation_id', rotationIds)
      .modify(q => {
        if (after) q.where('end_at', '>', after.getTime());
      })
      .orderBy(['start_at', 'id']);
    return rows.map(toOverride);
  }

  async getOverride(
    rotationId: number,
    id: number,
  ): Promise<RotationOverride | undefined> {
    const row = await this.db<OverrideRow>(OVERRIDES)
      .where({ id, rotation_id: rotationId })
      .first();
    return row ? toOverride(row) : undefined;
  }

  /**
   * Stores an override unless another of the rotation overlaps it: the
   * rotation's row is locked (a no-op UPDATE), then ONE conditional INSERT
   * … SELECT … WHERE NOT EXISTS (an overlapping override).
   */
  async addOverride(
    rotationId: number,
    input: RotationOverrideInput,
    by: string,
    at: Date,
  ): Promise<RotationOverride | OverrideRefusal> {
    const start = Date.parse(input.start);
    const end = Date.parse(input.end);
    return this.db.transaction(async tx => {
      const locked = await tx(ROTATIONS)
        .where({ id: rotationId })
        .update({ id: rotationId });
      if (!locked) return 'missing';
      const result = await tx.raw(
        `insert into ${OVERRIDES}
           (rotation_id, user_ref, start_at, end_at, created_by, created_at)
         select cast(? as integer), cast(? as varchar(255)), cast(? as bigint),
                cast(? as bigint), cast(? as varchar(255)), cast(? as bigint)
         where not exists (
           select 1 from ${OVERRIDES}
           where rotation_id = ? and start_at < ? and end_at > ?)
         returning id`,
        [
          rotationId,
          input.user,
          start,
          end,
          by,
          at.getTime(),
          rotationId,
          end,
          start,
        ],
      );
      const rows: Array<{ id: number }> = Array.isArray(result)
        ? result
        : result.rows;
      if (!rows.length) return 'overlap';
      return toOverride(
        (await tx<OverrideRow>(OVERRIDES).where({ id: rows[0].id }).first())!,
      );
    });
  }

  async deleteOverride(rotationId: number, id: number): Promise<boolean> {
    return (
      (await this.db(OVERRIDES)
        .where({ id, rotation_id: rotationId })
        .delete()) > 0
    );
  }
}
