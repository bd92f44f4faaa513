// @ts-check

/**
 * Pinned SSH host keys (trust on first use), one row per `host` / `[host]:port`.
 * Shared by every plugin that connects through remote-node.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('host_keys', table => {
    table.comment('SSH host keys pinned on first connection');
    table
      .string('host_id', 300)
      .primary()
      .comment('known_hosts style: host, or [host]:port');
    table
      .string('fingerprint', 100)
      .notNullable()
      .comment('OpenSSH SHA256 fingerprint of the host key');
    table
      .timestamp('pinned_at', { useTz: true, precision: 3 })
      .notNullable()
      .defaultTo(knex.fn.now());
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('host_keys');
};
