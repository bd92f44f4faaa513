// @ts-check

/**
 * Per-job failure webhook (`jobs.webhook`, JSON: url, when, optional vault
 * credential that signs the body) and its delivery result per run
 * (`runs.webhook_delivery`); the hosts a schedule's editor approved
 * (`schedules.approved_hosts`, JSON entity refs) and who approved them.
 * Schedules made before this migration approve nothing until edited.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('jobs', table => {
    table
      .text('webhook')
      .nullable()
      .comment('JSON: url, when, secretCredential');
  });
  await knex.schema.alterTable('runs', table => {
    table
      .text('webhook_delivery')
      .nullable()
      .comment('JSON: outcome of the job webhook for this run');
  });
  await knex.schema.alterTable('schedules', table => {
    table
      .text('approved_hosts')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON entity refs the approving user may run on');
    table.string('approved_by', 255).nullable();
    table.bigInteger('approved_at').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('schedules', table => {
    table.dropColumn('approved_at');
    table.dropColumn('approved_by');
    table.dropColumn('approved_hosts');
  });
  await knex.schema.alterTable('runs', table => {
    table.dropColumn('webhook_delivery');
  });
  await knex.schema.alterTable('jobs', table => {
    table.dropColumn('webhook');
  });
};
