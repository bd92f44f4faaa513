import { isUniqueViolation } from '@opsdeck/plugin-opsdeck-node';
import { Knex } from 'knex';
import type { FulfilmentStepStore } from './TicketStore';
import type { FulfilmentStep } from '../model';

const TABLE = 'ticket_fulfilment_steps';

function iso(value: Date | string | number | null): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  return new Date(
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  ).toISOString();
}

function toStep(row: any): FulfilmentStep {
  return {
    ticketId: Number(row.ticket_id),
    step: row.step,
    target: row.target,
    state: row.state,
    attempts: Number(row.attempts),
    ...(row.result ? { result: JSON.parse(row.result) } : {}),
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
  };
}

/**
 * The knex implementation of {@link FulfilmentStepStore} (SQLite and
 * PostgreSQL); the primary key (ticket, step, target) is the idempotency key.
 */
export class DatabaseFulfilmentStepStore implements FulfilmentStepStore {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async begin(
    ticketId: number,
    step: string,
    target: string,
  ): Promise<FulfilmentStep> {
    const key = { ticket_id: ticketId, step, target };
    try {
      await this.knex(TABLE).insert({
        ...key,
        state: 'started',
        attempts: 1,
        started_at: this.now(),
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // there already: a replay of a step cut short counts one more attempt
      await this.knex(TABLE)
        .where({ ...key, state: 'started' })
        .increment('attempts', 1);
    }
    return toStep(await this.knex(TABLE).where(key).first());
  }

  async finish(
    ticketId: number,
    step: string,
    target: string,
    result: Record<string, unknown>,
  ): Promise<FulfilmentStep | undefined> {
    const key = { ticket_id: ticketId, step, target };
    await this.knex(TABLE)
      .where({ ...key, state: 'started' })
      .update({
        state: 'done',
        result: JSON.stringify(result),
        finished_at: this.now(),
      });
    const row = await this.knex(TABLE).where(key).first();
    return row ? toStep(row) : undefined;
  }

  async list(ticketId: number): Promise<FulfilmentStep[]> {
    const rows = await this.knex(TABLE)
      .where({ ticket_id: ticketId })
      .orderBy('started_at')
      .orderBy('step')
      .orderBy('target');
    return rows.map(toStep);
  }
}
