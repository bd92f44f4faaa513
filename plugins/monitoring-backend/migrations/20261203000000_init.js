// @ts-check

/**
 * The alert router: one row per alert state Alertmanager reported (unique on
 * fingerprint, status and start, so replicas and retries record it once and
 * only the one insert that wins delivers it), and one row per channel
 * delivery of it. Times are milliseconds since the epoch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('monitoring_alert_events', table => {
    table.comment('Alert states received from Alertmanager (or test sends)');
    table.increments('id');
    table.string('fingerprint', 64).notNullable();
    table.string('status', 16).notNullable().comment('firing or resolved');
    table
      .string('starts_at', 32)
      .notNullable()
      .comment('ISO time the alert started (normalised)');
    table.string('ends_at', 32).nullable();
    table.string('alertname', 255).notNullable();
    table.string('entity_ref', 255).nullable();
    table.string('owner', 255).nullable().comment('Group routed to');
    table.string('severity', 64).nullable();
    table.text('summary').nullable();
    table.text('labels').notNullable().comment('JSON');
    table.text('annotations').notNullable().comment('JSON');
    table.bigInteger('received_at').notNullable();
    table.boolean('test').notNullable().defaultTo(false);
    table.unique(['fingerprint', 'status', 'starts_at'], {
      indexName: 'monitoring_alert_events_state_uq',
    });
    table.index(['received_at'], 'monitoring_alert_events_received_idx');
  });

  await knex.schema.createTable('monitoring_deliveries', table => {
    table.comment('One alert state on one channel: attempts and last error');
    table.increments('id');
    table
      .integer('event_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('monitoring_alert_events')
      .onDelete('CASCADE');
    table.string('channel', 128).notNullable();
    table.string('channel_type', 32).notNullable();
    table.string('state', 16).notNullable().comment('sending, sent, failed');
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('error').nullable();
    table.bigInteger('updated_at').notNullable();
    table.unique(['event_id', 'channel'], {
      indexName: 'monitoring_deliveries_uq',
    });
  });

  await knex.schema.createTable('monitoring_rules', table => {
    table.comment('Alert rules made from templates; the current version');
    table.increments('id');
    table.string('name', 255).notNullable();
    table.string('template', 64).notNullable();
    table.text('scope').notNullable().comment('JSON RuleScope');
    table.text('params').notNullable().comment('JSON RuleParams');
    table.boolean('enabled').notNullable().defaultTo(true);
    table.integer('version').notNullable();
    table.string('updated_by', 255).notNullable();
    table.bigInteger('updated_at').notNullable();
    table.boolean('deleted').notNullable().defaultTo(false);
  });

  await knex.schema.createTable('monitoring_rule_versions', table => {
    table.comment('Every version of every rule, who wrote it and when');
    table
      .integer('rule_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('monitoring_rules')
      .onDelete('CASCADE');
    table.integer('version').notNullable();
    table.text('content').notNullable().comment('JSON of the rule');
    table.string('by', 255).notNullable();
    table.bigInteger('at').notNullable();
    table.primary(['rule_id', 'version']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('monitoring_rule_versions');
  await knex.schema.dropTable('monitoring_rules');
  await knex.schema.dropTable('monitoring_deliveries');
  await knex.schema.dropTable('monitoring_alert_events');
};
