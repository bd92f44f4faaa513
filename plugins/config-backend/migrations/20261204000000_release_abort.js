// @ts-check

/**
 * Aborting a running release, and timed pauses that outlive a restart:
 * who the batches run for (the person who pushed, or who continued them
 * last: a timed pause goes on as them after a restart) and who aborted it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('config_releases', table => {
    table.string('driven_by', 255).nullable();
    table.string('aborted_by', 255).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('config_releases', table => {
    table.dropColumn('driven_by');
    table.dropColumn('aborted_by');
  });
};
