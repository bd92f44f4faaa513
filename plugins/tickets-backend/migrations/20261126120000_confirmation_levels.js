// @ts-check

/**
 * Confirmation levels (`opsdeck:ticket:confirm`): the named person acts on
 * their own request (e.g. the reporter confirms a fix), so the inbox must not
 * hide a requester's own ticket at such a level.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('ticket_approvers', table => {
    table
      .boolean('confirm')
      .notNullable()
      .defaultTo(false)
      .comment('true: a confirmation level, where the requester may act');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('ticket_approvers', table => {
    table.dropColumn('confirm');
  });
};
