// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // An alert may also go to monitoring's alert channels
  // (opsdeck.cicd.alerts.channels): `channels` are the channel names chosen
  // when the alert was written (JSON array; null: notifications only), and
  // `delivered` what already went out (JSON array of `notifications` and
  // `channel:<name>`), so a retry sends only what failed.
  await knex.schema.alterTable('cicd_alert_outbox', table => {
    table.text('channels').nullable();
    table.text('delivered').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cicd_alert_outbox', table => {
    table.dropColumn('channels');
    table.dropColumn('delivered');
  });
};
