// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // What the alerting last saw of each job (a Jenkins leaf job such as a
  // multibranch project's branch, `instance:path`, or an intake job,
  // `@intake:<system>/<job>`): the newest completed build and whether it
  // failed, with the top cause of that failure (for the flaky count).
  await knex.schema.createTable('cicd_job_state', table => {
    table.string('job_key', 700).primary();
    table.integer('last_number').notNullable();
    table.boolean('failing').notNullable();
    table.string('last_cause', 255).nullable();
    table.bigInteger('updated_at').notNullable();
  });
  // The alert gate: one row per (job, build). The replica whose insert
  // creates the row sends the alert; every other one (another replica, a
  // restart, the same build seen again) finds the row and sends nothing.
  await knex.schema.createTable('cicd_alerts', table => {
    table.string('job_key', 700).notNullable();
    table.integer('number').notNullable();
    // failure | recovery
    table.string('kind', 16).notNullable();
    table.string('entity_ref', 700).notNullable();
    // the top located cause (failure), or the cause of the failure a
    // recovery follows (what the flaky count counts)
    table.string('cause', 255).nullable();
    table.bigInteger('created_at').notNullable();
    table.primary(['job_key', 'number']);
  });
  // Delivery ids of the signed intake webhook: a delivery is accepted once.
  await knex.schema.createTable('cicd_intake_deliveries', table => {
    table.string('delivery_id', 128).primary();
    table.bigInteger('received_at').notNullable();
  });
  // Builds other CI systems posted (GitLab CI, GitHub Actions, ...).
  await knex.schema.createTable('cicd_intake_builds', table => {
    table.increments('id');
    table.string('entity_ref', 700).notNullable();
    table.string('system', 64).notNullable();
    table.string('job', 255).notNullable();
    table.integer('number').notNullable();
    table.string('result', 16).notNullable();
    table.string('branch', 255).nullable();
    table.string('url', 2048).nullable();
    table.string('commit', 64).nullable();
    table.bigInteger('timestamp').notNullable();
    table.bigInteger('duration_ms').notNullable();
    // the log as posted, capped (opsdeck.cicd.intake.maxLogBytes)
    table.text('log', 'mediumtext').notNullable();
    table.boolean('log_truncated').notNullable();
    table.string('delivery_id', 128).notNullable();
    table.bigInteger('received_at').notNullable();
    table.unique(['entity_ref', 'system', 'job', 'number']);
    table.index(['entity_ref', 'timestamp']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cicd_intake_builds');
  await knex.schema.dropTable('cicd_intake_deliveries');
  await knex.schema.dropTable('cicd_alerts');
  await knex.schema.dropTable('cicd_job_state');
};
