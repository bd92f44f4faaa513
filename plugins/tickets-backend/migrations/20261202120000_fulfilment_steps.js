// @ts-check

/**
 * Fulfilment steps: each step a fulfilment action takes for a ticket (a
 * bastion grant per host, a database account, its vault credential) is a row
 * keyed by ticket, step and target. The primary key is the idempotency key: a
 * replay after a crash finds the step and what it made (`result`) instead of
 * doing it again.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ticket_fulfilment_steps', table => {
    table.comment(
      'What fulfilment did for a ticket, one row per step and target',
    );
    table
      .integer('ticket_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('tickets')
      .onDelete('CASCADE');
    table
      .string('step', 64)
      .notNullable()
      .comment('e.g. server-access.grant, database-account.account');
    table
      .string('target', 255)
      .notNullable()
      .comment('what the step acts on: a host ref, an account, a credential');
    table.string('state', 16).notNullable().comment('started|done');
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(1)
      .comment('how often it was started (more than 1: replayed)');
    table.text('result').nullable().comment('JSON: what the step made');
    table.timestamp('started_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('finished_at', { useTz: true, precision: 3 }).nullable();
    table.primary(['ticket_id', 'step', 'target']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ticket_fulfilment_steps');
};
