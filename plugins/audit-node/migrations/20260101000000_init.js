// @ts-check

/**
 * The persisted audit log. Rows are append-only: the audit plugin exposes no
 * route that updates or deletes them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('audit_events', table => {
    table.comment(
      'Completed auditor events (succeeded or failed), append-only',
    );
    table.bigIncrements('id').comment('Monotonic id, used for paging');
    table
      .timestamp('occurred_at', { useTz: true, precision: 3 })
      .notNullable()
      .comment('When the event completed');
    table.string('plugin', 255).notNullable().comment('Reporting plugin id');
    table.string('action', 255).notNullable().comment('Auditor eventId');
    table.string('severity', 16).notNullable();
    table.string('status', 16).notNullable().comment('succeeded or failed');
    table
      .string('actor', 512)
      .notNullable()
      .defaultTo('')
      .comment('User entity ref or service principal subject');
    table.string('target', 1024).notNullable().defaultTo('');
    table.string('request_id', 255).nullable();
    table.string('ip', 64).nullable();
    table.text('error').nullable();
    table.text('meta').notNullable().defaultTo('{}').comment('JSON, <= 8 KiB');

    table.index(['actor', 'id'], 'audit_events_actor_idx');
    table.index(['action', 'id'], 'audit_events_action_idx');
    table.index(['plugin', 'id'], 'audit_events_plugin_idx');
    table.index(['target', 'id'], 'audit_events_target_idx');
    table.index(['occurred_at'], 'audit_events_occurred_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('audit_events');
};
