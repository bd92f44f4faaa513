// @ts-check

/**
 * When a delivery's current attempt started. A delivery still `sending` a
 * lease after it started was cut off (the backend stopped between start and
 * finish): a sweep marks it `unknown` (it may or may not have gone out) for a
 * person to look at, instead of leaving it `sending` forever. Rows already
 * `sending` count from their last update.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('monitoring_deliveries', table => {
    table
      .bigInteger('started_at')
      .nullable()
      .comment('When the current attempt started (ms)');
    table.index(['state', 'started_at'], 'monitoring_deliveries_lease_idx');
  });
  await knex('monitoring_deliveries')
    .where('state', 'sending')
    .update({ started_at: knex.ref('updated_at') });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex('monitoring_deliveries')
    .where('state', 'unknown')
    .update({ state: 'failed' });
  await knex.schema.alterTable('monitoring_deliveries', table => {
    table.dropIndex([], 'monitoring_deliveries_lease_idx');
    table.dropColumn('started_at');
  });
};
