// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // A config set: one file rendered from a template onto the hosts a selector picks.
  await knex.schema.createTable('config_sets', table => {
    table.increments('id');
    table.string('name', 128).notNullable().unique();
    // nginx | redis | text | json | yaml
    table.string('kind', 16).notNullable();
    table.string('owner', 255).notNullable();
    table.string('entity_ref', 255).nullable();
    // JSON HostSelector (cmdb-common)
    table.text('selector').notNullable();
    table.string('target_path', 4096).notNullable();
    table.string('stage_root', 4096).nullable();
    table.text('validate_command').nullable();
    table.text('reload_command').nullable();
    // JSON HealthCheck
    table.text('health_check').nullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
  });

  // Immutable versions: rows are only ever inserted.
  await knex.schema.createTable('config_versions', table => {
    table
      .integer('set_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('config_sets')
      .onDelete('CASCADE');
    table.integer('version').notNullable();
    table.text('template').notNullable();
    // JSON ConfigVariables
    table.text('variables').notNullable();
    table.text('message').notNullable();
    table.string('author', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.integer('rolled_back_from').nullable();
    table.string('adopted_from_host', 255).nullable();
    table.primary(['set_id', 'version']);
  });

  await knex.schema.createTable('config_releases', table => {
    table.increments('id');
    table
      .integer('set_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('config_sets')
      .onDelete('CASCADE');
    table.integer('version').notNullable();
    // push | rollback
    table.string('action', 16).notNullable();
    // running | done | failed
    table.string('status', 16).notNullable();
    table.integer('batch_size').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('finished_at').nullable();
    table.index(['set_id', 'created_at']);
  });

  await knex.schema.createTable('config_release_hosts', table => {
    table
      .integer('release_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('config_releases')
      .onDelete('CASCADE');
    table.string('host', 255).notNullable();
    table.integer('position').notNullable();
    table.string('state', 16).notNullable();
    table.text('error').nullable();
    table.string('content_sha256', 64).nullable();
    table.bigInteger('started_at').nullable();
    table.bigInteger('finished_at').nullable();
    table.primary(['release_id', 'host']);
  });

  // What each host got last: the baseline of drift detection.
  await knex.schema.createTable('config_host_states', table => {
    table
      .integer('set_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('config_sets')
      .onDelete('CASCADE');
    table.string('host', 255).notNullable();
    table.integer('version').notNullable();
    table.integer('release_id').notNullable();
    // sha256 and text of the live file right after the push (after a redis CONFIG REWRITE)
    table.string('live_sha256', 64).notNullable();
    table.text('live_content').notNullable();
    table.bigInteger('pushed_at').notNullable();
    table.primary(['set_id', 'host']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('config_host_states');
  await knex.schema.dropTable('config_release_hosts');
  await knex.schema.dropTable('config_releases');
  await knex.schema.dropTable('config_versions');
  await knex.schema.dropTable('config_sets');
};
