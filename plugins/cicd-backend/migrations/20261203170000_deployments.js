// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // Deployments CD systems post to the signed deploy webhook
  // (POST /intake/deployments), for the delivery timeline.
  await knex.schema.createTable('cicd_deployments', table => {
    table.increments('id');
    table.string('entity_ref', 700).notNullable();
    table.string('system', 64).notNullable();
    table.string('environment', 63).notNullable();
    table.string('version', 255).nullable();
    // an image digest, sha256:<64 hex>
    table.string('digest', 80).nullable();
    table.string('commit', 64).nullable();
    // SUCCESS | FAILURE | IN_PROGRESS | ROLLED_BACK
    table.string('status', 16).notNullable();
    table.string('url', 2048).nullable();
    table.bigInteger('timestamp').notNullable();
    // one row per delivery, whatever happens to the replay gate
    table.string('delivery_id', 128).notNullable().unique();
    table.bigInteger('received_at').notNullable();
    table.index(['entity_ref', 'timestamp']);
  });
  // What a posted build produced (JSON array of {name, digest?, url?}).
  await knex.schema.alterTable('cicd_intake_builds', table => {
    table.text('artifacts').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cicd_intake_builds', table => {
    table.dropColumn('artifacts');
  });
  await knex.schema.dropTable('cicd_deployments');
};
