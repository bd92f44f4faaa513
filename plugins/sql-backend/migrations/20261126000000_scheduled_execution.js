// @ts-check

/**
 * Scheduled execution: an approved change can be given a time at which the
 * scheduler task runs it (status `scheduled`).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('sql_changes', table => {
    table
      .bigInteger('scheduled_at')
      .nullable()
      .comment('When a scheduled change runs (epoch ms)');
    table.string('scheduled_by', 255).nullable();
    table.index(['status', 'scheduled_at'], 'sql_changes_due_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sql_changes', table => {
    table.dropIndex(['status', 'scheduled_at'], 'sql_changes_due_idx');
    table.dropColumn('scheduled_by');
    table.dropColumn('scheduled_at');
  });
};
