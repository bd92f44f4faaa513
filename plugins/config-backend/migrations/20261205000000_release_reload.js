// @ts-check

/**
 * Push and reload as separate steps: a release pushed with `reload = false`
 * swaps the new file in and ends `swapped` until a person reloads it
 * (`reload_by`); each host keeps whether a previous file was there
 * (`had_previous`), which a failed reload puts back.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('config_releases', table => {
    table.boolean('reload').notNullable().defaultTo(true);
    table.string('reload_by', 255).nullable();
  });
  await knex.schema.alterTable('config_release_hosts', table => {
    table.boolean('had_previous').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('config_release_hosts', table => {
    table.dropColumn('had_previous');
  });
  await knex.schema.alterTable('config_releases', table => {
    table.dropColumn('reload');
    table.dropColumn('reload_by');
  });
};
