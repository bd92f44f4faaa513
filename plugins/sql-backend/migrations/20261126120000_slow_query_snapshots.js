// @ts-check

/**
 * Slow-query snapshots refreshed by a scheduler task (one status row and the
 * top statements per instance), and the heartbeat of an executing change so
 * that a change left `executing` by a stopped replica can be recognised.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sql_slow_query_snapshots', table => {
    table.comment('Latest slow-query snapshot of each instance');
    table.string('instance_ref', 255).primary();
    table.string('engine', 32).notNullable();
    table
      .bigInteger('taken_at')
      .nullable()
      .comment('When the statements below were read (epoch ms)');
    table
      .bigInteger('attempted_at')
      .notNullable()
      .comment('Last refresh attempt, successful or not (epoch ms)');
    table
      .text('error')
      .nullable()
      .comment('Why the last attempt failed; null when it succeeded');
  });
  await knex.schema.createTable('sql_slow_query_statements', table => {
    table.comment('Top statements of the latest snapshot of an instance');
    table.string('instance_ref', 255).notNullable();
    table.integer('rank').notNullable();
    table.text('statement').notNullable().comment('Normalised statement');
    table.bigInteger('calls').notNullable();
    table.double('total_ms').notNullable();
    table.double('mean_ms').notNullable();
    table.bigInteger('rows').nullable();
    table.primary(['instance_ref', 'rank']);
  });
  await knex.schema.alterTable('sql_changes', table => {
    table
      .bigInteger('executing_heartbeat_at')
      .nullable()
      .comment('Last sign of life of the replica executing the change');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sql_changes', table => {
    table.dropColumn('executing_heartbeat_at');
  });
  await knex.schema.dropTable('sql_slow_query_statements');
  await knex.schema.dropTable('sql_slow_query_snapshots');
};
