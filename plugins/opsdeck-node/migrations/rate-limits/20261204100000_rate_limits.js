// @ts-check
/**
 * Per-person rate limit counters (createRateLimiter), in the database of the
 * plugin that limits: one row per limit, person and subject, holding the
 * calls counted in the current window. A call is counted by ONE conditional
 * upsert, so parallel calls cannot pass the limit.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('opsdeck_rate_limits', table => {
    table.comment(
      'Per-person rate limit counters; a call is one conditional upsert',
    );
    table
      .string('key', 600)
      .primary()
      .comment('JSON [limit code, person, subject]');
    table.integer('hits').notNullable().comment('calls counted in the window');
    table
      .bigInteger('window_started_at')
      .notNullable()
      .comment("the window's start, epoch ms of the database's clock");
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('opsdeck_rate_limits');
};
