import type { Knex } from './migrations';

const TABLE = 'cicd_intake_gate';

/** What the gate decided for one request. */
export interface GateSlot {
  /** True when every source is within its limit: the vault may be asked. */
  allowed: boolean;
  /** The sources and window the slot was taken in (to give it back). */
  sources: string[];
  windowStart: number;
  /** Seconds until the window ends (the Retry-After of a 429). */
  retryAfterSeconds: number;
}

/**
 * The intake's failure gate (`cicd_intake_gate`): signature failures per
 * source in fixed windows of `windowMs`. Shared by every replica through
 * the plugin's database.
 */
export class IntakeGate {
  constructor(
    private readonly knex: Knex,
    private readonly options: { limit: number; windowMs: number },
  ) {}

  /**
   * Takes a slot for every source with ONE atomic statement (an upsert
   * that adds one to each source's count in the current window and
   * returns the counts): allowed when no count went over the limit, so of
   * any number of parallel requests exactly `limit` per source get through
   * until slots are given back.
   */
  async take(sources: string[], now = Date.now()): Promise<GateSlot> {
    const { limit, windowMs } = this.options;
    const windowStart = now - (now % windowMs);
    const rows: { source: string; failures: number | string }[] =
      await this.knex(TABLE)
        .insert(
          sources.map(source => ({
            source,
            window_start: windowStart,
            failures: 1,
          })),
        )
        .onConflict(['source', 'window_start'])
        .merge({ failures: this.knex.raw('??.?? + 1', [TABLE, 'failures']) })
        .returning(['source', 'failures']);
    return {
      allowed: rows.every(r => Number(r.failures) <= limit),
      sources,
      windowStart,
      retryAfterSeconds: Math.max(
        1,
        Math.ceil((windowStart + windowMs - now) / 1000),
      ),
    };
  }

  /** Gives a slot back (its signature matched: not a failure). */
  async giveBack(slot: GateSlot): Promise<void> {
    await this.knex(TABLE)
      .whereIn('source', slot.sources)
      .andWhere('window_start', slot.windowStart)
      .andWhere('failures', '>', 0)
      .decrement('failures', 1);
  }

  /** Forgets windows that ended before `now` minus one window. */
  async prune(now = Date.now()): Promise<number> {
    return this.knex(TABLE)
      .where('window_start', '<', now - 2 * this.options.windowMs)
      .delete();
  }
}
