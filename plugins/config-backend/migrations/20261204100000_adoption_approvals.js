// @ts-check

/**
 * Adopting a live file through a change approval: the sha256 of the exact
 * live bytes the approval was asked for (shown to the approver, masked),
 * kept here rather than in the ticket, which every ticket reader sees (a
 * hash of a file holding a vault secret is one to guess a weak secret
 * against). The adoption claims the ticket only while the live file still
 * has these bytes.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('config_adoption_approvals', table => {
    table.integer('ticket_id').notNullable().primary();
    table.integer('set_id').notNullable();
    table.string('host', 255).notNullable();
    table.string('live_sha256', 64).notNullable();
    table.string('requested_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('config_adoption_approvals');
};
