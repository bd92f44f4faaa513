import { claimRefusal } from '@opsdeck/plugin-tickets-node';
import { Knex } from 'knex';
import { iso, toTicket, type TicketRow } from './rows';
import type { ClaimOutcome, ClaimRequest } from '../model';

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

/**
 * Why a claim changed no row (read after the UPDATE, for the message only):
 * the claim rules of `@opsdeck/plugin-tickets-node` (`claimRefusal`), which
 * the UPDATE above enforces.
 */
async function refusal(
  knex: Knex,
  row: TicketRow | undefined,
  claim: ClaimRequest,
  now: Date,
): Promise<ClaimOutcome> {
  const own = row
    ? await knex('ticket_decisions')
        .where({ ticket_id: claim.id, actor: row.requester })
        .first()
    : undefined;
  const why = claimRefusal(
    row && {
      id: row.id,
      state: row.state,
      requester: row.requester,
      changeKind: row.change_kind,
      changeTarget: row.change_target,
      changeDigest: row.change_digest,
      claimedAt: row.claimed_at ? iso(row.claimed_at) : null,
      expiresAt: row.expires_at ? iso(row.expires_at) : null,
      decidedByRequester: Boolean(own),
    },
    claim,
    now,
  );
  return {
    ok: false,
    ...(why ?? {
      reason: 'not-approved',
      message: `Ticket ${claim.id} is not approved`,
    }),
  };
}
