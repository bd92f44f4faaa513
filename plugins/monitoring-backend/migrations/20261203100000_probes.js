// @ts-check

/**
 * Probes (blackbox exporter): one row per probe on a catalog entity. A
 * deleted probe keeps its row (who deleted it and when). Times are
 * milliseconds since the epoch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('monitoring_probes', table => {
    table.comment('TCP and HTTP probes run by the blackbox exporter');
    table.increments('id');
    table.string('entity_ref', 255).notNullable();
    table.string('kind', 16).notNullable().comment('tcp or http');
    table.string('target', 2048).notNullable();
    table.integer('expect_status').nullable();
    table.text('body_regex').nullable();
    table.integer('interval_seconds').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.boolean('deleted').notNullable().defaultTo(false);
    table.string('deleted_by', 255).nullable();
    table.bigInteger('deleted_at').nullable();
    table.index(['entity_ref'], 'monitoring_probes_entity_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('monitoring_probes');
};
