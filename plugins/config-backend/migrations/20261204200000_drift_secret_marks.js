// @ts-check

/**
 * The drift baseline's secret marks: for each vault secret pushed into the
 * file, its length and a salted sha256 (never the secret), so the drift view
 * masks exactly the spans that hold a pushed secret in the live file,
 * wherever they stand, without taking the secret out of the vault.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('config_host_states', table => {
    table.text('secret_marks').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('config_host_states', table => {
    table.dropColumn('secret_marks');
  });
};
