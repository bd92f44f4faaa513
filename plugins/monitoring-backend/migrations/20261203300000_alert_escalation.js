// @ts-check

/**
 * Acknowledgements and escalation. A firing state carries who acknowledged
 * it, when and why (cleared by an un-acknowledgement), and the escalation
 * step it reached (0: the first delivery only; 1: escalated; 2…: reminders),
 * claimed by one conditional UPDATE so one replica sends each step. A
 * delivery belongs to one step, so an escalation of the same alert on the
 * same channel is a delivery of its own (attempts, retries, history).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('monitoring_alert_events', table => {
    table.string('ack_by', 255).nullable().comment('Who acknowledged (person)');
    table.bigInteger('ack_at').nullable().comment('When acknowledged (ms)');
    table.text('ack_comment').nullable();
    table
      .integer('escalation_step')
      .notNullable()
      .defaultTo(0)
      .comment('0 none, 1 escalated, 2… reminders sent');
  });
  await knex.schema.alterTable('monitoring_deliveries', table => {
    table
      .integer('step')
      .notNullable()
      .defaultTo(0)
      .comment('Escalation step the delivery is for (0: the alert itself)');
  });
  await knex.schema.alterTable('monitoring_deliveries', table => {
    table.dropUnique([], 'monitoring_deliveries_uq');
    table.unique(['event_id', 'channel', 'step'], {
      indexName: 'monitoring_deliveries_step_uq',
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex('monitoring_deliveries').where('step', '>', 0).delete();
  await knex.schema.alterTable('monitoring_deliveries', table => {
    table.dropUnique([], 'monitoring_deliveries_step_uq');
    table.unique(['event_id', 'channel'], {
      indexName: 'monitoring_deliveries_uq',
    });
  });
  await knex.schema.alterTable('monitoring_deliveries', table => {
    table.dropColumn('step');
  });
  await knex.schema.alterTable('monitoring_alert_events', table => {
    table.dropColumn('escalation_step');
    table.dropColumn('ack_comment');
    table.dropColumn('ack_at');
    table.dropColumn('ack_by');
  });
};
