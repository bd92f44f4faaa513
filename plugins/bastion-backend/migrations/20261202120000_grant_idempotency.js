// @ts-check

/**
 * Grants created by a workflow carry an idempotency key (e.g. a ticket's
 * fulfilment step: `ticket:<id>:server-access:<host ref>`); the unique index
 * makes a replay of the same request find the grant it made instead of
 * creating a second one.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('bastion_grants', table => {
    table
      .string('idempotency_key', 255)
      .nullable()
      .comment('set by workflows; one grant per key');
    table.unique(['idempotency_key'], {
      indexName: 'bastion_grants_idempotency_uq',
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('bastion_grants', table => {
    table.dropUnique(['idempotency_key'], 'bastion_grants_idempotency_uq');
    table.dropColumn('idempotency_key');
  });
};
