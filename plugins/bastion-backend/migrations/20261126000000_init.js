// @ts-check

/**
 * The bastion's tables. Times are milliseconds since the epoch (bigint), so
 * comparisons work the same on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('bastion_grants', table => {
    table.comment(
      'Who may open sessions on which hosts, as which login user, until when',
    );
    table.string('id', 36).primary();
    table
      .string('subject', 255)
      .notNullable()
      .comment('user:… or group:… entity ref');
    table.string('host', 255).nullable();
    table.string('system', 255).nullable();
    table.string('owner', 255).nullable();
    table.string('tag', 255).nullable();
    table.string('login_user', 64).notNullable();
    table.bigInteger('expires_at').notNullable();
    table.text('reason').nullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('revoked_at').nullable();
    table.string('revoked_by', 255).nullable();
    table.index(['subject'], 'bastion_grants_subject_idx');
  });

  await knex.schema.createTable('bastion_sessions', table => {
    table.comment('Terminal sessions with their recording metadata');
    table.string('id', 36).primary();
    table.string('user_ref', 255).notNullable();
    table.string('host', 255).notNullable();
    table.string('host_ref', 255).notNullable();
    table.string('login_user', 64).notNullable();
    table.string('grant_id', 36).nullable();
    table.string('environment', 32).nullable();
    table.bigInteger('started_at').notNullable();
    table.bigInteger('ended_at').nullable();
    table.string('end_reason', 255).nullable();
    table.bigInteger('bytes_out').notNullable().defaultTo(0);
    table.bigInteger('bytes_in').notNullable().defaultTo(0);
    table.integer('cols').notNullable();
    table.integer('rows').notNullable();
    table
      .string('recording', 512)
      .notNullable()
      .comment('asciicast file name in the recordings directory');
    table.index(['started_at'], 'bastion_sessions_started_idx');
    table.index(['user_ref', 'started_at'], 'bastion_sessions_user_idx');
    table.index(['host', 'started_at'], 'bastion_sessions_host_idx');
  });

  await knex.schema.createTable('bastion_commands', table => {
    table.comment('Commands extracted from session input');
    table.bigIncrements('id').primary();
    table
      .string('session_id', 36)
      .notNullable()
      .references('id')
      .inTable('bastion_sessions')
      .onDelete('CASCADE');
    table.bigInteger('at').notNullable();
    table.text('command').notNullable();
    table
      .string('action', 16)
      .notNullable()
      .comment('run, rejected or alerted');
    table.string('rule_id', 36).nullable();
    table.index(['session_id', 'at'], 'bastion_commands_session_idx');
    table.index(['at'], 'bastion_commands_at_idx');
  });

  await knex.schema.createTable('bastion_rules', table => {
    table.comment(
      'Command rules: a regular expression and what to do on a match',
    );
    table.string('id', 36).primary();
    table.string('name', 255).notNullable();
    table.text('pattern').notNullable();
    table.string('action', 16).notNullable().comment('reject, alert or allow');
    table.string('scope_host', 255).nullable();
    table.string('scope_system', 255).nullable();
    table.string('scope_owner', 255).nullable();
    table.string('scope_tag', 255).nullable();
    table.string('scope_environment', 32).nullable();
    table.integer('priority').notNullable().defaultTo(100);
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('bastion_mfa', table => {
    table.comment(
      'TOTP enrolment per user; the secret is AES-256-GCM encrypted',
    );
    table.string('user_ref', 255).primary();
    table.text('secret_enc').notNullable();
    table.boolean('confirmed').notNullable().defaultTo(false);
    table
      .bigInteger('verified_until')
      .nullable()
      .comment('end of the current step-up window');
    table
      .bigInteger('last_step')
      .nullable()
      .comment('last accepted TOTP time step (no replay)');
    table.integer('failures').notNullable().defaultTo(0);
    table.bigInteger('failures_since').nullable();
    table.bigInteger('updated_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('bastion_mfa');
  await knex.schema.dropTable('bastion_rules');
  await knex.schema.dropTable('bastion_commands');
  await knex.schema.dropTable('bastion_sessions');
  await knex.schema.dropTable('bastion_grants');
};
