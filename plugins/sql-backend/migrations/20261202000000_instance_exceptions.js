// @ts-check

/**
 * Instances whose query console and review may use a read credential that
 * can write or is privileged: an admin's audited decision, one row per
 * instance.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sql_instance_exceptions', table => {
    table.comment(
      'Instances allowed a privileged read credential (set by an admin)',
    );
    table.string('instance_ref', 255).primary();
    table.text('reason').notNullable();
    table.string('set_by', 255).notNullable();
    table.bigInteger('set_at').notNullable().comment('epoch ms');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sql_instance_exceptions');
};
