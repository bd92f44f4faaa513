// @ts-check

/**
 * Command control with a shell parser (#14): rules match commands or constructs
 * (`kind`), the `review` action waits for an approver (`bastion_reviews`), commands keep
 * why they were judged so (`detail`) and who approved them; host-side exec audit stores what
 * ran on the host per session (`bastion_execs`); one-time seeds such as the default rule set
 * are remembered in `bastion_meta`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('bastion_rules', table => {
    table
      .string('kind', 16)
      .notNullable()
      .defaultTo('command')
      .comment('command (matches each command) or construct (hidden code)');
  });
  await knex.schema.alterTable('bastion_commands', table => {
    table
      .text('detail')
      .nullable()
      .comment('the command or construct a rule matched, or why not judged');
    table
      .string('reviewed_by', 255)
      .nullable()
      .comment('approver of a reviewed command');
  });
  await knex.schema.alterTable('bastion_sessions', table => {
    table
      .string('exec_audit', 255)
      .nullable()
      .comment('host-side exec audit: on, or why it is not');
    table
      .string('instance_run', 64)
      .nullable()
      .comment('process start of the owning instance (a restart is a new run)');
  });
  await knex.schema.createTable('bastion_meta', table => {
    table.comment('One-time facts of the plugin (e.g. default rules seeded)');
    table.string('key', 64).primary();
    table
      .string('owner', 36)
      .notNullable()
      .comment('random id of the start that wrote it');
    table.bigInteger('created_at').notNullable();
  });
  await knex.schema.createTable('bastion_reviews', table => {
    table.comment('Commands waiting for (or decided by) an approver');
    table.string('id', 36).primary();
    table
      .string('session_id', 36)
      .notNullable()
      .references('id')
      .inTable('bastion_sessions')
      .onDelete('CASCADE');
    table.text('command').notNullable();
    table.text('detail').nullable();
    table.string('rule_id', 36).nullable();
    table.string('rule_name', 255).nullable();
    table.string('requested_by', 255).notNullable();
    table.string('host', 255).notNullable();
    table.bigInteger('requested_at').notNullable();
    table.bigInteger('expires_at').notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment('pending, approved, denied, timeout or cancelled');
    table.string('decided_by', 255).nullable();
    table.bigInteger('decided_at').nullable();
    table.index(['status', 'requested_at'], 'bastion_reviews_status_idx');
  });
  await knex.schema.createTable('bastion_execs', table => {
    table.comment(
      'Programs the host kernel saw started in a session (auditd execve records)',
    );
    table.bigIncrements('id').primary();
    table
      .string('session_id', 36)
      .notNullable()
      .references('id')
      .inTable('bastion_sessions')
      .onDelete('CASCADE');
    table
      .string('event', 64)
      .notNullable()
      .comment('audit event id on the host (time:serial)');
    table.bigInteger('at').notNullable();
    table.integer('pid').nullable();
    table.integer('ppid').nullable();
    table.integer('uid').nullable();
    table.text('exe').nullable();
    table.text('argv').notNullable();
    table.text('cwd').nullable();
    table.unique(['session_id', 'event'], {
      indexName: 'bastion_execs_event_uq',
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('bastion_execs');
  await knex.schema.dropTable('bastion_reviews');
  await knex.schema.dropTable('bastion_meta');
  await knex.schema.alterTable('bastion_sessions', table => {
    table.dropColumn('instance_run');
    table.dropColumn('exec_audit');
  });
  await knex.schema.alterTable('bastion_commands', table => {
    table.dropColumn('reviewed_by');
    table.dropColumn('detail');
  });
  await knex.schema.alterTable('bastion_rules', table => {
    table.dropColumn('kind');
  });
};
