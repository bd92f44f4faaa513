import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { Schedule, ScheduleDefinition } from '../model';
import { ScheduleApproval } from './JobStore';
import { opt, toSchedule } from './rows';

/**
 * The schedule half of the knex job store (schedules, claimed ticks);
 * {@link DatabaseJobStore} adds jobs and runs. A tick is claimed together
 * with the insert of its run (`DatabaseJobStore.createRun` with a tick).
 */
export class DatabaseScheduleStore {
  constructor(
    protected readonly db: Knex,
    protected readonly now: () => number = Date.now,
  ) {}

  async createSchedule(
    def: ScheduleDefinition,
    actor: string,
    approval: ScheduleApproval = { hosts: [], by: actor },
    now = this.now(),
  ): Promise<Schedule> {
    const id = randomUUID();
    await this.db('schedules').insert({
      id,
      job_id: def.jobId,
      name: def.name,
      cron: def.cron,
      time_zone: def.timeZone,
      selector: JSON.stringify(def.selector),
      params: JSON.stringify(def.params),
      options: JSON.stringify(def.options),
      missed_policy: def.missedPolicy,
      enabled: def.enabled,
      created_by: actor,
      created_at: now,
      updated_at: now,
      last_tick_at: now,
      approved_hosts: JSON.stringify(approval.hosts),
      approved_by: approval.by,
      approved_at: now,
    });
    return (await this.getSchedule(id))!;
  }

  async updateSchedule(
    id: string,
    def: Partial<ScheduleDefinition>,
    approval?: ScheduleApproval,
  ): Promise<Schedule | undefined> {
    const row: Record<string, unknown> = { updated_at: this.now() };
    if (approval) {
      row.approved_hosts = JSON.stringify(approval.hosts);
      row.approved_by = approval.by;
      row.approved_at = this.now();
      // an approved edit ends a pause: the editor's rights were checked
      row.paused_reason = null;
      row.paused_at = null;
    }
    if (def.name !== undefined) row.name = def.name;
    if (def.cron !== undefined) row.cron = def.cron;
    if (def.timeZone !== undefined) row.time_zone = def.timeZone;
    if (def.selector !== undefined) row.selector = JSON.stringify(def.selector);
    if (def.params !== undefined) row.params = JSON.stringify(def.params);
    if (def.options !== undefined) row.options = JSON.stringify(def.options);
    if (def.missedPolicy !== undefined) row.missed_policy = def.missedPolicy;
    if (def.enabled !== undefined) row.enabled = def.enabled;
    const n = await this.db('schedules').where({ id }).update(row);
    return n ? this.getSchedule(id) : undefined;
  }

  /**
   * Switches an enabled schedule off with the reason; true only for the one
   * caller whose update did it (replicas race at a tick).
   */
  async pauseSchedule(id: string, reason: string): Promise<boolean> {
    const n = await this.db('schedules').where({ id, enabled: true }).update({
      enabled: false,
      paused_reason: reason,
      paused_at: this.now(),
      updated_at: this.now(),
    });
    return n > 0;
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const n = await tx('schedules').where({ id }).delete();
      await tx('schedule_ticks').where({ schedule_id: id }).delete();
      return n > 0;
    });
  }

  async getSchedule(id: string): Promise<Schedule | undefined> {
    const row = await this.db('schedules').where({ id }).first();
    return row ? toSchedule(row) : undefined;
  }

  async listSchedules(
    filter: { jobId?: string; enabled?: boolean } = {},
  ): Promise<Schedule[]> {
    const q = this.db('schedules');
    if (filter.jobId) q.where({ job_id: filter.jobId });
    if (filter.enabled !== undefined) q.where({ enabled: filter.enabled });
    const rows = await q.orderBy('name');
    return rows.map(toSchedule);
  }

  async setLastTick(id: string, tickAt: number): Promise<void> {
    await this.db('schedules')
      .where({ id })
      .where('last_tick_at', '<', tickAt)
      .update({ last_tick_at: tickAt });
  }

  async isTickClaimed(scheduleId: string, tickAt: number): Promise<boolean> {
    const row = await this.db('schedule_ticks')
      .where({ schedule_id: scheduleId, tick_at: tickAt })
      .first('tick_at');
    return Boolean(row);
  }

  async listTicks(scheduleId: string) {
    const rows = await this.db('schedule_ticks')
      .where({ schedule_id: scheduleId })
      .orderBy('tick_at');
    return rows.map(r => ({
      tickAt: Number(r.tick_at),
      claimedBy: r.claimed_by as string,
      runId: opt(r.run_id) as string | undefined,
    }));
  }
}
