import { Knex } from 'knex';
import { iso, toTicket, type TicketRow } from './rows';
import type { ClaimOutcome, ClaimRequest } from './TicketStore';

/**
 * Uses a change approval once. The decision is ONE conditional UPDATE, so
 * of any number of concurrent claims (on any replica) exactly one changes
 * the row; the rest are refused and told why from a read afterwards.
 */
export async function claimChange(
  knex: Knex,
  claim: ClaimRequest,
  now: Date,
): Promise<ClaimOutcome> {
  const updated = await knex('tickets')
    .where({
      id: claim.id,
      state: 'approved',
      change_kind: claim.kind,
      change_target: claim.target,
      change_digest: claim.digest,
      requester: claim.claimer,
    })
    .whereNull('claimed_at')
    .where(q => q.whereNull('expires_at').orWhere('expires_at', '>', now))
    // never approved by the requester themself, nor rejected at any level
    .whereNotExists(
      knex('ticket_decisions as d')
        .whereRaw('d.ticket_id = tickets.id')
        .where(q =>
          q
            .whereRaw('d.actor = tickets.requester')
            .orWhereNot('d.decision', 'approved'),
        ),
    )
    .update({
      state: 'done',
      claimed_at: now,
      claimed_by: claim.claimer,
      message: 'Approval used for the approved change',
      updated_at: now,
    });
  const row = await knex<TicketRow>('tickets').where({ id: claim.id }).first();
  if (Number(updated) === 1 && row) {
    await knex('ticket_history').insert({
      ticket_id: claim.id,
      actor: claim.claimer,
      from_state: 'approved',
      to_state: 'done',
      message: `Approval used for the change ${claim.digest.slice(0, 12)}`,
      created_at: now,
    });
    const decisions = await knex('ticket_decisions')
      .where({ ticket_id: claim.id, decision: 'approved' })
      .orderBy('level');
    return {
      ok: true,
      ticket: toTicket(row),
      approvedBy: decisions.map(d => String(d.actor)),
    };
  }
  return refusal(knex, row, claim, now);
}

/** Why a claim changed no row (read after the UPDATE, for the message only). */
async function refusal(
  knex: Knex,
  row: TicketRow | undefined,
  claim: ClaimRequest,
  now: Date,
): Promise<ClaimOutcome> {
  const no = (
    reason: Extract<ClaimOutcome, { ok: false }>['reason'],
    m: string,
  ) => ({ ok: false, reason, message: m } as const);
  if (!row) return no('not-found', `No ticket ${claim.id}`);
  if (!row.change_kind) {
    return no('mismatch', `Ticket ${claim.id} does not approve a change`);
  }
  if (row.requester !== claim.claimer) {
    return no(
      'not-requester',
      `Ticket ${claim.id} was requested by someone else; only the requester may use it`,
    );
  }
  if (row.claimed_at) {
    return no(
      'used',
      `Ticket ${claim.id} was used at ${iso(
        row.claimed_at,
      )}; an approval runs one change once`,
    );
  }
  if (row.state !== 'approved') {
    return no(
      'not-approved',
      `Ticket ${claim.id} is ${row.state.replace('_', ' ')}, not approved`,
    );
  }
  if (
    row.change_kind !== claim.kind ||
    row.change_target !== claim.target ||
    row.change_digest !== claim.digest
  ) {
    return no(
      'mismatch',
      `Ticket ${claim.id} approves another change (${row.change_kind} on ${row.change_target}); the change was altered after approval or is another one`,
    );
  }
  if (row.expires_at && new Date(iso(row.expires_at)) <= now) {
    return no('expired', `The approval of ticket ${claim.id} expired`);
  }
  const own = await knex('ticket_decisions')
    .where({ ticket_id: claim.id, actor: row.requester })
    .first();
  if (own) {
    return no(
      'not-approved',
      `Ticket ${claim.id} was decided by its requester`,
    );
  }
  return no('not-approved', `Ticket ${claim.id} is not approved`);
}
