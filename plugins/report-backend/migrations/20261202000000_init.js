// @ts-check

/**
 * The weekly tech report: one row per week per scope (org or a team), the
 * records each figure counts, one row per mail sent, and feed tokens.
 * Times are milliseconds since the epoch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('reports', table => {
    table.comment(
      'Weekly reports; (scope, week_start) is unique: one per week per scope',
    );
    table.increments('id');
    table
      .string('scope', 255)
      .notNullable()
      .comment("'org' or a group entity ref");
    table.string('scope_title', 255).notNullable();
    table
      .string('week_start', 10)
      .notNullable()
      .comment('Monday, YYYY-MM-DD, in timezone');
    table.string('timezone', 64).notNullable();
    table.bigInteger('period_from').notNullable();
    table.bigInteger('period_to').notNullable();
    table.string('state', 16).notNullable().comment('draft, sending, sent');
    table.text('figures').notNullable().comment('JSON: figure key -> count');
    table.text('sections').notNullable().comment('JSON: section -> connected');
    table.text('highlights_text').nullable();
    table.string('highlights_lang', 8).nullable();
    table.string('highlights_by', 255).nullable();
    table.bigInteger('highlights_at').nullable();
    table
      .string('subject', 512)
      .nullable()
      .comment('Mail subject, fixed when rendered');
    table
      .text('html')
      .nullable()
      .comment('Mail body, fixed when rendered (before the first mail)');
    table.bigInteger('created_at').notNullable();
    table.bigInteger('send_at').notNullable();
    table.bigInteger('sent_at').nullable();
    table.string('claim_token', 64).nullable().comment('Replica sending it');
    table.bigInteger('claimed_at').nullable();
    table.unique(['scope', 'week_start'], {
      indexName: 'reports_scope_week_uq',
    });
    table.index(['state', 'send_at'], 'reports_state_idx');
    table.index(['week_start'], 'reports_week_idx');
  });

  await knex.schema.createTable('report_records', table => {
    table.comment(
      'What each figure of a report counts (audit events, job runs)',
    );
    table
      .integer('report_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('reports')
      .onDelete('CASCADE');
    table.string('figure', 64).notNullable();
    table.integer('seq').notNullable().comment('Order within the figure');
    table.string('source', 16).notNullable().comment('audit or job-run');
    table.string('record_id', 64).notNullable();
    table.bigInteger('at').notNullable();
    table.string('actor', 512).nullable();
    table.string('target', 1024).nullable();
    table.string('label', 512).notNullable();
    table.string('path', 1024).nullable();
    table.primary(['report_id', 'figure', 'seq']);
  });

  await knex.schema.createTable('report_deliveries', table => {
    table.comment('One mail of a report to one address; never sent twice');
    table
      .integer('report_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('reports')
      .onDelete('CASCADE');
    table.string('recipient', 320).notNullable().comment('Mail address');
    table.string('user_ref', 255).nullable();
    table
      .string('state', 16)
      .notNullable()
      .comment('sending, sent, failed, uncertain (interrupted while sending)');
    table.integer('attempts').notNullable().defaultTo(0);
    table.string('message_id', 255).nullable();
    table.text('error').nullable();
    table.bigInteger('updated_at').notNullable();
    table.primary(['report_id', 'recipient']);
  });

  await knex.schema.createTable('report_feed_tokens', table => {
    table.comment(
      'Personal Atom feed links; only the SHA-256 of a token is stored',
    );
    table.string('user_ref', 255).primary();
    table.string('token_hash', 64).notNullable().unique();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('last_used_at').nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('report_feed_tokens');
  await knex.schema.dropTable('report_deliveries');
  await knex.schema.dropTable('report_records');
  await knex.schema.dropTable('reports');
};
