// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('distribution_hosts', table => {
    // The stable code of a host's refusal (files-target-symlink …), beside its English error.
    table.string('error_code', 64).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('distribution_hosts', table => {
    table.dropColumn('error_code');
  });
};
