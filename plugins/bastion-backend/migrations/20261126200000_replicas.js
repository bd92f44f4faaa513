// @ts-check

/**
 * Several backend replicas on one database: each open session names the instance that holds
 * its shell and WebSocket, that instance's last heartbeat, and a terminate request that any
 * instance may store for the owner to carry out.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('bastion_sessions', table => {
    table
      .string('instance_id', 128)
      .nullable()
      .comment('backend instance that holds the session');
    table
      .bigInteger('heartbeat_at')
      .nullable()
      .comment('last heartbeat of the owning instance for this session');
    table
      .bigInteger('terminate_requested_at')
      .nullable()
      .comment('set by any instance; the owner ends the session');
    table.string('terminate_reason', 255).nullable();
    table.index(['ended_at', 'instance_id'], 'bastion_sessions_open_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('bastion_sessions', table => {
    table.dropIndex(['ended_at', 'instance_id'], 'bastion_sessions_open_idx');
    table.dropColumn('terminate_reason');
    table.dropColumn('terminate_requested_at');
    table.dropColumn('heartbeat_at');
    table.dropColumn('instance_id');
  });
};
