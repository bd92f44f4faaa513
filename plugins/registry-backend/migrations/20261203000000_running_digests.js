// @ts-check

/**
 * Where image digests run, as reporters (the Kubernetes module for pods,
 * the CMDB for host containers) last said, one row per running image and
 * place; a report replaces every row of its source.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('registry_running_digests', table => {
    table.comment('Image digests running in cluster pods and host containers');
    table.increments('id');
    table
      .string('source', 300)
      .notNullable()
      .comment('cluster:<name> or host:<entity ref>');
    table
      .string('registry', 260)
      .notNullable()
      .comment('registry host[:port] as the image names it, lower case');
    table.string('repository', 255).notNullable();
    table.string('digest', 71).notNullable().comment('sha256:<64 hex>');
    table.string('kind', 8).notNullable().comment('pod or host');
    table
      .string('where', 400)
      .notNullable()
      .comment('cluster/namespace/pod, or the host entity ref');
    table
      .string('entity_ref', 300)
      .notNullable()
      .comment('cluster or host resource a person must see');
    table.timestamp('reported_at', { useTz: true, precision: 3 }).notNullable();
    table.index(
      ['registry', 'repository', 'digest'],
      'registry_running_lookup',
    );
    table.index(['source'], 'registry_running_source');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('registry_running_digests');
};
