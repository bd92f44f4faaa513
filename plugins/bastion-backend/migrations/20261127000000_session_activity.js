// @ts-check

/**
 * What the live-sessions list shows of a session, stored by the owning instance with its
 * heartbeat so that every instance on the database can show it: the last keyboard input (the
 * idle time) and the number of people watching through it. People who watch from another instance (following the
 * recording) are counted by that instance, in bastion_remote_watchers.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('bastion_sessions', table => {
    table
      .bigInteger('last_input_at')
      .nullable()
      .comment('last keyboard input, as of the last heartbeat');
    table
      .integer('watchers')
      .notNullable()
      .defaultTo(0)
      .comment('people watching live, as of the last heartbeat');
  });
  await knex.schema.createTable('bastion_remote_watchers', table => {
    table.comment(
      'People following a session from an instance that does not hold it, per instance',
    );
    table.string('session_id', 36).notNullable();
    table.string('instance_id', 128).notNullable();
    table.integer('watchers').notNullable();
    table
      .bigInteger('updated_at')
      .notNullable()
      .comment('heartbeat of the watching instance; older rows do not count');
    table.primary(['session_id', 'instance_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('bastion_remote_watchers');
  await knex.schema.alterTable('bastion_sessions', table => {
    table.dropColumn('watchers');
    table.dropColumn('last_input_at');
  });
};
