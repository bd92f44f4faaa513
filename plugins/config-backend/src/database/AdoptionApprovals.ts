import type { Knex } from 'knex';

/** What an adoption's change approval was asked for: the exact live bytes. */
export type AdoptionApproval = {
  ticketId: number;
  setId: number;
  host: string;
  /** sha256 of the exact live bytes shown (masked) to the approver. */
  liveSha256: string;
  requestedBy: string;
};

/**
 * The live bytes each adoption ticket was asked for
 * (`config_adoption_approvals`), kept in the plugin's database and never
 * answered: a ticket's readers (viewers too) see the masked file, not a
 * hash of a file holding a secret.
 */
export class AdoptionApprovals {
  constructor(private readonly knex: Knex) {}

  async record(a: AdoptionApproval): Promise<void> {
    await this.knex('config_adoption_approvals')
      .insert({
        ticket_id: a.ticketId,
        set_id: a.setId,
        host: a.host,
        live_sha256: a.liveSha256,
        requested_by: a.requestedBy,
        created_at: Date.now(),
      })
      // a ticket id is the tickets plugin's: one row each (a newer ask wins)
      .onConflict('ticket_id')
      .merge();
  }

  async get(ticketId: number): Promise<AdoptionApproval | undefined> {
    const r = await this.knex('config_adoption_approvals')
      .where({ ticket_id: ticketId })
      .first();
    if (!r) return undefined;
    return {
      ticketId: Number(r.ticket_id),
      setId: Number(r.set_id),
      host: r.host,
      liveSha256: r.live_sha256,
      requestedBy: r.requested_by,
    };
  }
}
