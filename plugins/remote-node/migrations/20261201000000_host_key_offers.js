// @ts-check

/**
 * Host keys offered at first contact by hosts that opsdeck would log in to
 * with a password: nothing is sent to such a host before an admin accepts
 * the offered key (then it moves to `host_keys`). One row per host id.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('host_key_offers', table => {
    table.comment('SSH host keys offered at first contact, pending acceptance');
    table
      .string('host_id', 300)
      .primary()
      .comment('known_hosts style: host, or [host]:port');
    table
      .string('fingerprint', 100)
      .notNullable()
      .comment('OpenSSH SHA256 fingerprint of the offered host key');
    table
      .timestamp('offered_at', { useTz: true, precision: 3 })
      .notNullable()
      .defaultTo(knex.fn.now());
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('host_key_offers');
};
