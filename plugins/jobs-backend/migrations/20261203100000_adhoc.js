// @ts-check

/**
 * Ad-hoc commands (#16 item 6): a run of a script typed on the spot, without a
 * saved job, keeps its command with it (`job_id` is 'adhoc', version 0), so
 * the run page, a re-run and the audit trail all show what ran.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('runs', table => {
    table
      .string('adhoc_language', 16)
      .nullable()
      .comment('Language of an ad-hoc run (sh, bash, python)');
    table
      .text('adhoc_script')
      .nullable()
      .comment('Script of an ad-hoc run; null for runs of a saved job');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('runs', table => {
    table.dropColumn('adhoc_language');
    table.dropColumn('adhoc_script');
  });
};
