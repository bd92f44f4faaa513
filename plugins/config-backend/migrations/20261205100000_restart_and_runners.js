// @ts-check

/**
 * A set's restart command (redis changes that cannot be applied hot), and
 * the lease of the backend replica running a release (opsdeck-node's
 * createLeases on the release row: `runner` holds it, `runner_renewed_at`
 * is its last renewal by the database's clock, in epoch ms). A starting
 * replica fails only the releases whose runner stopped renewing.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('config_sets', table => {
    table.text('restart_command').nullable();
  });
  await knex.schema.alterTable('config_releases', table => {
    table.string('runner', 255).nullable();
    table.bigInteger('runner_renewed_at').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('config_releases', table => {
    table.dropColumn('runner');
    table.dropColumn('runner_renewed_at');
  });
  await knex.schema.alterTable('config_sets', table => {
    table.dropColumn('restart_command');
  });
};
