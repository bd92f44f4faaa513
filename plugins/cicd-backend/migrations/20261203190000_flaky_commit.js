// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // The commit (revision) of the newest failed build the alerting saw of a
  // job: a success on the same commit makes the failure flaky.
  await knex.schema.alterTable('cicd_job_state', table => {
    table.string('last_commit', 64).nullable();
  });
  // The alert's build commit, and whether a recovery passed on the commit
  // that had failed (only those are counted as flaky). Recoveries recorded
  // before this migration did not compare commits: they are not counted.
  await knex.schema.alterTable('cicd_alerts', table => {
    table.string('commit', 64).nullable();
    table.boolean('flaky').notNullable().defaultTo(false);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cicd_alerts', table => {
    table.dropColumn('flaky');
    table.dropColumn('commit');
  });
  await knex.schema.alterTable('cicd_job_state', table => {
    table.dropColumn('last_commit');
  });
};
