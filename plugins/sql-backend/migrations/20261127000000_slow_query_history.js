// @ts-check

/**
 * Earlier slow-query snapshots: every successful refresh is also kept here
 * (statements as JSON) until the refresh task prunes it after
 * `opsdeck.sql.slowQueries.historyDays`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sql_slow_query_history', table => {
    table.comment('Slow-query snapshots of each instance, kept for some days');
    table.string('instance_ref', 255).notNullable();
    table
      .bigInteger('taken_at')
      .notNullable()
      .comment('When the statements were read (epoch ms)');
    table.string('engine', 32).notNullable();
    table
      .text('statements')
      .notNullable()
      .comment('JSON array of the top statements, by total time');
    table.primary(['instance_ref', 'taken_at']);
    table.index(['taken_at'], 'sql_slow_query_history_taken_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sql_slow_query_history');
};
