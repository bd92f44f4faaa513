// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // One row per tus upload being written or read right now, by any replica
  // (DatabaseUploadLocker). The row is the lock; it expires unless renewed.
  await knex.schema.createTable('files_upload_locks', table => {
    table.string('upload_id', 64).primary();
    // `<instance>/<random>`: the one lock (one request) that holds it.
    table.string('holder', 255).notNullable();
    // Epoch ms; a holder that stopped renewing (crashed) loses the lock after it.
    table.bigInteger('expires_at').notNullable();
    // Set by a request that waits for the lock: tus asks the holder to let go.
    table.boolean('release_requested').notNullable().defaultTo(false);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('files_upload_locks');
};
