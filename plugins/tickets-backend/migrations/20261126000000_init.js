// @ts-check

/**
 * Tickets: one row per request that goes through an approval, the approvers
 * of each level (a row per approver, so "waiting for me" is a join), the
 * decisions taken, comments and the history of every state change.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tickets', table => {
    table.comment('Requests that go through an approval');
    table.increments('id').primary();
    table
      .string('key', 255)
      .notNullable()
      .unique()
      .comment('Idempotency key: task:<taskId>:<stepId> for template runs');
    table.string('title', 255).notNullable();
    table.text('summary').nullable();
    table.string('template_ref', 255).nullable();
    table.string('task_id', 255).nullable();
    table.string('requester', 255).notNullable().comment('User entity ref');
    table
      .string('state', 32)
      .notNullable()
      .comment(
        'submitted|awaiting_approval|approved|rejected|fulfilling|done|failed',
      );
    table.integer('level_count').notNullable();
    table
      .integer('current_level')
      .notNullable()
      .defaultTo(0)
      .comment('0-based level waiting for a decision');
    table.text('levels').notNullable().comment('JSON [{approvers,label}]');
    table.text('details').notNullable().defaultTo('{}').comment('JSON');
    table.text('result').nullable().comment('JSON outcome of the fulfilment');
    table.text('message').nullable();
    table.timestamp('expires_at', { useTz: true, precision: 3 }).nullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
    table.index(['requester', 'id'], 'tickets_requester_idx');
    table.index(['state', 'id'], 'tickets_state_idx');
    table.index(['expires_at'], 'tickets_expires_idx');
  });

  await knex.schema.createTable('ticket_approvers', table => {
    table.comment('Who may decide each level of a ticket');
    table
      .integer('ticket_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('tickets')
      .onDelete('CASCADE');
    table.integer('level').notNullable();
    table.string('approver', 255).notNullable().comment('User or group ref');
    table.primary(['ticket_id', 'level', 'approver']);
    table.index(['approver', 'ticket_id'], 'ticket_approvers_approver_idx');
  });

  await knex.schema.createTable('ticket_decisions', table => {
    table.increments('id').primary();
    table
      .integer('ticket_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('tickets')
      .onDelete('CASCADE');
    table.integer('level').notNullable();
    table.string('actor', 255).notNullable();
    table.string('decision', 16).notNullable().comment('approved|rejected');
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.unique(['ticket_id', 'level'], {
      indexName: 'ticket_decisions_level_uq',
    });
  });

  await knex.schema.createTable('ticket_comments', table => {
    table.increments('id').primary();
    table
      .integer('ticket_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('tickets')
      .onDelete('CASCADE');
    table.string('author', 255).notNullable();
    table.text('body').notNullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.index(['ticket_id', 'id'], 'ticket_comments_ticket_idx');
  });

  await knex.schema.createTable('ticket_history', table => {
    table.increments('id').primary();
    table
      .integer('ticket_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('tickets')
      .onDelete('CASCADE');
    table.string('actor', 255).notNullable();
    table.string('from_state', 32).nullable();
    table.string('to_state', 32).notNullable();
    table.text('message').nullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.index(['ticket_id', 'id'], 'ticket_history_ticket_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ticket_history');
  await knex.schema.dropTable('ticket_comments');
  await knex.schema.dropTable('ticket_decisions');
  await knex.schema.dropTable('ticket_approvers');
  await knex.schema.dropTable('tickets');
};
