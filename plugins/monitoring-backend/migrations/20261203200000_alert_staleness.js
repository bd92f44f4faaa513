// @ts-check

/**
 * Stale firing alerts: when Alertmanager last sent each firing state
 * (its repeat notifications renew it), and which resolutions opsdeck
 * recorded itself because Alertmanager stopped sending a firing alert for
 * `alerts.staleAfterHours` (stale). Times are milliseconds since the epoch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('monitoring_alert_events', table => {
    table
      .bigInteger('last_seen_at')
      .nullable()
      .comment('Last time Alertmanager sent this state (null: received_at)');
    table
      .boolean('stale')
      .notNullable()
      .defaultTo(false)
      .comment('A resolution opsdeck recorded: Alertmanager stopped sending');
    table.index(
      ['status', 'received_at'],
      'monitoring_alert_events_status_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('monitoring_alert_events', table => {
    table.dropIndex([], 'monitoring_alert_events_status_idx');
    table.dropColumn('stale');
    table.dropColumn('last_seen_at');
  });
};
