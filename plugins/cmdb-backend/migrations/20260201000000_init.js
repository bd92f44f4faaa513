// @ts-check

/**
 * The CMDB's host index (`hosts`, kept in step with the catalog) and the
 * facts collected over SSH (`host_facts`, never put into catalog entities).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('hosts', table => {
    table.comment('Host index: CMDB-registered hosts and catalog hosts');
    table.string('name', 63).primary().comment('Entity name, unique');
    table.string('address', 253).notNullable();
    table.integer('port').notNullable().defaultTo(22);
    table.string('login_user', 64).nullable();
    table.string('credential', 64).nullable().comment('Vault credential name');
    table.string('environment', 16).notNullable();
    table.string('owner', 255).notNullable();
    table.string('system', 255).nullable();
    table.text('tags').notNullable().defaultTo('[]').comment('JSON array');
    table.text('description').nullable();
    table
      .string('source', 16)
      .notNullable()
      .comment('cmdb (registered through the API) or catalog');
    table.string('entity_ref', 255).notNullable();
    table
      .timestamp('updated_at', { useTz: true, precision: 3 })
      .notNullable()
      .defaultTo(knex.fn.now());

    table.index(['environment', 'name'], 'hosts_environment_idx');
    table.index(['owner', 'name'], 'hosts_owner_idx');
    table.index(['system', 'name'], 'hosts_system_idx');
    table.index(['source', 'name'], 'hosts_source_idx');
  });

  await knex.schema.createTable('host_facts', table => {
    table.comment('Facts of the last collection per host');
    table
      .string('name', 63)
      .primary()
      .references('name')
      .inTable('hosts')
      .onDelete('CASCADE');
    table.boolean('reachable').notNullable();
    table.text('error').nullable();
    table.string('os', 255).nullable();
    table.string('kernel', 255).nullable();
    table.integer('cpu_count').nullable();
    table.string('cpu_model', 255).nullable();
    table.bigInteger('mem_total_bytes').nullable();
    table
      .text('disks')
      .nullable()
      .comment('JSON [{mount,sizeBytes,usedBytes}]');
    table.text('ips').nullable().comment('JSON array of addresses');
    table.bigInteger('uptime_seconds').nullable();
    table
      .timestamp('collected_at', { useTz: true, precision: 3 })
      .notNullable();
    table.timestamp('last_ok_at', { useTz: true, precision: 3 }).nullable();

    table.index(['reachable', 'name'], 'host_facts_reachable_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('host_facts');
  await knex.schema.dropTable('hosts');
};
