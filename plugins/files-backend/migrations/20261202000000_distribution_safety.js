// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('distribution_hosts', table => {
    // The host's catalog environment (prod, staging …): picks its allowed target roots.
    table.string('environment', 64).nullable();
    // The random name of the host's temporary copy, chosen once so a resume finds it.
    table.string('temp_name', 255).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('distribution_hosts', table => {
    table.dropColumn('environment');
    table.dropColumn('temp_name');
  });
};
