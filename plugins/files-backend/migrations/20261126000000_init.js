// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // One row per stored version of a library file.
  await knex.schema.createTable('files', table => {
    table.string('id', 64).primary();
    table.string('name', 255).notNullable();
    table.integer('version').notNullable();
    table.bigInteger('size').notNullable();
    table.string('sha256', 64).notNullable();
    // Where the bytes are in the upload store (the tus upload id).
    table.string('storage_key', 128).notNullable();
    table.string('uploader', 255).notNullable();
    table.string('owner_group', 255).nullable();
    table.bigInteger('created_at').notNullable();
    table.unique(['name', 'version']);
    table.unique(['storage_key']);
  });

  await knex.schema.createTable('distributions', table => {
    table.string('id', 64).primary();
    table.string('file_id', 64).notNullable();
    // Copied from the file so the record outlives a deleted version.
    table.string('file_name', 255).notNullable();
    table.integer('file_version').notNullable();
    table.bigInteger('size').notNullable();
    table.string('sha256', 64).notNullable();
    table.string('target_path', 4096).notNullable();
    table.integer('file_mode').nullable();
    table.string('file_owner', 80).nullable();
    table.string('strategy', 16).notNullable();
    table.integer('concurrency').notNullable();
    // running | done
    table.string('status', 16).notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('finished_at').nullable();
    table.index(['created_at']);
  });

  await knex.schema.createTable('distribution_hosts', table => {
    table
      .string('distribution_id', 64)
      .notNullable()
      .references('id')
      .inTable('distributions')
      .onDelete('CASCADE');
    table.string('host', 255).notNullable();
    table.integer('position').notNullable();
    table.string('address', 255).notNullable();
    table.integer('port').notNullable();
    table.string('login_user', 64).nullable();
    table.string('credential', 255).nullable();
    // pending | transferring | verifying | verified | failed
    table.string('state', 16).notNullable();
    table.bigInteger('bytes').notNullable().defaultTo(0);
    table.double('rate').notNullable().defaultTo(0);
    table.integer('attempts').notNullable().defaultTo(0);
    table.text('error').nullable();
    table.bigInteger('started_at').nullable();
    table.bigInteger('finished_at').nullable();
    table.primary(['distribution_id', 'host']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('distribution_hosts');
  await knex.schema.dropTable('distributions');
  await knex.schema.dropTable('files');
};
