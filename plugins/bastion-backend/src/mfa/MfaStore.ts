import { Knex } from 'knex';
import type { MfaRecord } from '../database/BastionStore';

const TABLE = 'bastion_mfa';

type Row = {
  user_ref: string;
  secret_enc: string;
  confirmed: boolean | number;
  verified_until: number | string | null;
  last_step: number | string | null;
  failures: number | string;
  failures_since: number | string | null;
};

const num = (v: unknown) =>
  v === null || v === undefined ? undefined : Number(v);

function toRecord(r: Row): MfaRecord {
  return {
    userRef: r.user_ref,
    secretEnc: r.secret_enc,
    confirmed: Boolean(r.confirmed),
    verifiedUntil: num(r.verified_until),
    lastStep: num(r.last_step),
    failures: Number(r.failures),
    failuresSince: num(r.failures_since),
  };
}

/** knex.raw hands back `{ rows }` on PostgreSQL and the rows themselves on SQLite. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * TOTP enrolments (table bastion_mfa). Every gate is ONE statement: a code attempt claims a slot
 * under the rate limit with a conditional update, and a right code is accepted with a conditional
 * update on its time step, so parallel requests can neither pass the limit nor use a code twice.
 */
export class MfaStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  async get(userRef: string): Promise<MfaRecord | undefined> {
    const row = await this.db<Row>(TABLE).where({ user_ref: userRef }).first();
    return row ? toRecord(row) : undefined;
  }

  /** Starts (or restarts) enrolment with a new, unconfirmed secret; failures are kept. */
  async putSecret(userRef: string, secretEnc: string): Promise<void> {
    const row = {
      user_ref: userRef,
      secret_enc: secretEnc,
      confirmed: false,
      verified_until: null,
      last_step: null,
      updated_at: this.now(),
    };
    await this.db(TABLE)
      .insert({ ...row, failures: 0 })
      .onConflict('user_ref')
      .merge(row);
  }

  /**
   * Counts one code attempt unless `max` attempts were made within `windowMs` of the first:
   * the count with this attempt, or undefined when refused.
   */
  async claimAttempt(
    userRef: string,
    max: number,
    windowMs: number,
    now: number,
  ): Promise<number | undefined> {
    const expired = now - windowMs;
    const fresh = `failures_since IS NULL OR failures_since <= ?`;
    const result = await this.db.raw(
      `UPDATE ${TABLE} SET
         failures = CASE WHEN ${fresh} THEN 1 ELSE failures + 1 END,
         failures_since = CASE WHEN ${fresh} THEN ? ELSE failures_since END,
         updated_at = ?
       WHERE user_ref = ? AND (${fresh} OR failures < ?)
       RETURNING failures`,
      [expired, expired, now, now, userRef, expired, max],
    );
    const [row] = rowsOf<{ failures: number | string }>(result);
    return row ? Number(row.failures) : undefined;
  }

  /** Gives back a claimed attempt (it was a right code, only used already). */
  async releaseAttempt(userRef: string): Promise<void> {
    await this.db(TABLE)
      .where({ user_ref: userRef })
      .update({
        failures: this.db.raw(
          'CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END',
        ),
      });
  }

  /**
   * Accepts a right code of `step` once: only when the secret is still `secretEnc` and no code of
   * this or a later step was accepted. Confirms the enrolment, opens the step-up window until
   * `verifiedUntil` and clears the failures. False when another request used the step first.
   */
  async acceptCode(options: {
    userRef: string;
    secretEnc: string;
    step: number;
    verifiedUntil: number;
  }): Promise<boolean> {
    const updated = await this.db(TABLE)
      .where({ user_ref: options.userRef, secret_enc: options.secretEnc })
      .andWhere(q =>
        q.whereNull('last_step').orWhere('last_step', '<', options.step),
      )
      .update({
        last_step: options.step,
        confirmed: true,
        verified_until: options.verifiedUntil,
        failures: 0,
        failures_since: null,
        updated_at: this.now(),
      });
    return updated > 0;
  }

  /** Ends the step-up window (after a re-enrolment). */
  async endStepUp(userRef: string): Promise<void> {
    await this.db(TABLE)
      .where({ user_ref: userRef })
      .update({ verified_until: null, updated_at: this.now() });
  }

  /** Forgets a user's enrolment (they enrol again); false when there was none. */
  async delete(userRef: string): Promise<boolean> {
    return (await this.db(TABLE).where({ user_ref: userRef }).delete()) > 0;
  }
}
