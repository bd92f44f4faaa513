// @ts-check

/**
 * SQL changes (review findings, approvals, per-statement execution with the
 * backed-up rows for rollback) and the query log.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sql_changes', table => {
    table.comment('SQL changes submitted for review, approval and execution');
    table.string('id', 36).primary();
    table.string('instance_ref', 255).notNullable();
    table.string('database_name', 128).nullable();
    table.string('title', 255).notNullable();
    table.text('sql').notNullable();
    table.string('submitter', 255).notNullable();
    table.text('reason').nullable().comment('Why warnings are acceptable');
    table.string('status', 32).notNullable();
    table.text('review').notNullable().comment('JSON ReviewResult');
    table
      .text('approver_groups')
      .notNullable()
      .comment('JSON: one group per approval level');
    table.text('approvals').notNullable().defaultTo('[]').comment('JSON list');
    table.string('executed_by', 255).nullable();
    table.text('error').nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.index(['instance_ref', 'created_at']);
  });
  await knex.schema.createTable('sql_change_statements', table => {
    table.comment('Execution of each statement of a change, with its backup');
    table.string('change_id', 36).notNullable();
    table.integer('idx').notNullable();
    table.string('status', 32).notNullable();
    table.bigInteger('affected_rows').nullable();
    table.integer('duration_ms').nullable();
    table.text('error').nullable();
    table
      .text('backup')
      .nullable()
      .comment('JSON: table, columns, primary key, rows');
    table.text('rollback_sql').nullable();
    table.primary(['change_id', 'idx']);
  });
  await knex.schema.createTable('sql_query_log', table => {
    table.comment('Every query console query: who, where, what, outcome');
    table.increments('id');
    table.string('user_ref', 255).notNullable();
    table.string('instance_ref', 255).notNullable();
    table.string('database_name', 128).nullable();
    table.text('statement').notNullable();
    table.integer('row_count').nullable();
    table.integer('duration_ms').nullable();
    table.text('error').nullable();
    table.bigInteger('created_at').notNullable();
    table.index(['created_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sql_query_log');
  await knex.schema.dropTable('sql_change_statements');
  await knex.schema.dropTable('sql_changes');
};
