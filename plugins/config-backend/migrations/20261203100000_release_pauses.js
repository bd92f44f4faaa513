// @ts-check

/**
 * Pauses between the batches of a release: a timed pause after each batch
 * and/or a stop after the first batch until a person continues. The state
 * a continue needs lives here (it survives a restart): the next batch, when
 * a timed pause ends, and what the release was checked against (the set's
 * on-host definition and the approval it ran with).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('config_releases', table => {
    table.integer('pause_seconds').notNullable().defaultTo(0);
    table.boolean('confirm_first_batch').notNullable().defaultTo(false);
    // index of the next batch to run (batches of batch_size, by position)
    table.integer('next_batch').notNullable().defaultTo(0);
    // a timed pause ends here (ms); null: waits for a person
    table.bigInteger('resume_at').nullable();
    // sha256 of the set's on-host definition the release was checked against
    table.string('definition_sha256', 64).nullable();
    // the change approval ticket it ran with, if any
    table.integer('approval_ticket').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('config_releases', table => {
    table.dropColumn('pause_seconds');
    table.dropColumn('confirm_first_batch');
    table.dropColumn('next_batch');
    table.dropColumn('resume_at');
    table.dropColumn('definition_sha256');
    table.dropColumn('approval_ticket');
  });
};
