// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // The alert outbox: an alert the gate (cicd_alerts) let through is written
  // here first and sent from here, so a notification service that fails is
  // retried with backoff instead of losing the alert. A sender claims a row
  // with one atomic UPDATE (claim_token + claimed_until, a lease): two
  // replicas never hold the same row at once.
  await knex.schema.createTable('cicd_alert_outbox', table => {
    table.increments('id');
    table.string('job_key', 700).notNullable();
    table.integer('number').notNullable();
    // the owner's entity ref (the recipients of the notification)
    table.string('owner', 700).notNullable();
    // the notification payload (JSON: title, description, link, severity,
    // topic, scope); no secret is ever in it
    table.text('payload').notNullable();
    // pending | sent | given_up
    table.string('status', 16).notNullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.bigInteger('next_at').notNullable();
    table.string('claim_token', 64).nullable();
    table.bigInteger('claimed_until').nullable();
    table.string('last_error', 1000).nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table.unique(['job_key', 'number']);
    table.index(['status', 'next_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cicd_alert_outbox');
};
