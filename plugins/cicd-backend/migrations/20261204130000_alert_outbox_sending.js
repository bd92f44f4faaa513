// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // The second phase of a claim: right before the notification is handed to
  // the notifications backend, the claim holder marks its row `sending` and
  // stamps sending_at. A row whose lease ends while `sending` is not sent
  // again (mail and robots would get it twice): the delivery task moves it to
  // `unknown`, shown with the given-up alerts for a person to decide.
  // The status column (string 16) already holds the two new values.
  await knex.schema.alterTable('cicd_alert_outbox', table => {
    table.bigInteger('sending_at').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  // rows in the new states go back to the ones the old code knows
  await knex('cicd_alert_outbox')
    .whereIn('status', ['sending', 'unknown'])
    .update({ status: 'given_up' });
  await knex.schema.alterTable('cicd_alert_outbox', table => {
    table.dropColumn('sending_at');
  });
};
