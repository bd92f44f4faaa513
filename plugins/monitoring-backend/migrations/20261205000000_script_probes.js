// @ts-check

/**
 * Script probes: a short sh/bash script run on the probe's host over SSH
 * (kind `script`, the probe's name in `target`). The script and its
 * language are two more columns; other kinds leave them null.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('monitoring_probes', table => {
    table
      .text('script')
      .nullable()
      .comment('script probes: the script (at most 4 KiB, parsed when saved)');
    table
      .string('script_language', 8)
      .nullable()
      .comment('script probes: sh or bash');
  });
};

/**
 * Script probes go with their columns (the code before them knows no such
 * kind): their rows are removed first.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex('monitoring_probes').where({ kind: 'script' }).delete();
  await knex.schema.alterTable('monitoring_probes', table => {
    table.dropColumn('script');
    table.dropColumn('script_language');
  });
};
