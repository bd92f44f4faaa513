// @ts-check

/**
 * The jobs plugin: the script library (`jobs`, every saved version in
 * `job_versions`), runs and their per-host results (`runs`, `run_hosts`),
 * cron schedules (`schedules`) and the ticks replicas have claimed
 * (`schedule_ticks`, whose primary key makes each tick run once).
 * Times are epoch milliseconds (bigint) so SQLite and PostgreSQL compare alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('jobs', table => {
    table.comment('Saved scripts with typed parameters (current version)');
    table.string('id', 36).primary();
    table.string('name', 63).notNullable().unique();
    table.text('description').notNullable().defaultTo('');
    table.string('language', 16).notNullable().comment('sh, bash or python');
    table.text('script').notNullable();
    table.text('parameters').notNullable().defaultTo('[]').comment('JSON');
    table.integer('version').notNullable();
    table.boolean('notify_on_failure').notNullable().defaultTo(true);
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.string('updated_by', 255).notNullable();
    table.bigInteger('updated_at').notNullable();
  });

  await knex.schema.createTable('job_versions', table => {
    table.comment('Every saved version of every job');
    table.string('job_id', 36).notNullable();
    table.integer('version').notNullable();
    table.string('language', 16).notNullable();
    table.text('script').notNullable();
    table.text('parameters').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.primary(['job_id', 'version']);
  });

  await knex.schema.createTable('runs', table => {
    table.comment('One execution of a job version on resolved hosts');
    table.string('id', 36).primary();
    table.string('job_id', 36).notNullable();
    table.string('job_name', 63).notNullable();
    table.integer('job_version').notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment('running, succeeded, failed, cancelled, interrupted');
    table
      .string('trigger', 16)
      .notNullable()
      .comment('manual, schedule, rerun');
    table.string('triggered_by', 255).notNullable();
    table.string('schedule_id', 36).nullable();
    table.string('rerun_of', 36).nullable();
    table.text('selector').notNullable().comment('JSON host selector');
    table
      .text('params')
      .notNullable()
      .comment('JSON values; secret parameters hold a vault credential name');
    table.text('options').notNullable().comment('JSON run options');
    table.boolean('cancel_requested').notNullable().defaultTo(false);
    table.string('runner_id', 64).nullable().comment('Replica executing it');
    table.bigInteger('heartbeat_at').nullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('finished_at').nullable();
    table.text('error').nullable();
    table.index(['created_at'], 'runs_created_idx');
    table.index(['job_id', 'created_at'], 'runs_job_idx');
    table.index(['status'], 'runs_status_idx');
  });

  await knex.schema.createTable('run_hosts', table => {
    table.comment('Per-host result of a run');
    table.string('run_id', 36).notNullable();
    table.string('host', 255).notNullable().comment('Host entity name');
    table.string('entity_ref', 255).notNullable();
    table.string('address', 253).notNullable();
    table.integer('port').notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment(
        'pending, running, succeeded, failed, timed_out, cancelled, skipped, error, interrupted',
      );
    table.integer('exit_code').nullable();
    table.integer('attempts').notNullable().defaultTo(0);
    table.integer('duration_ms').nullable();
    table.text('stdout').notNullable().defaultTo('');
    table.text('stderr').notNullable().defaultTo('');
    table.boolean('truncated').notNullable().defaultTo(false);
    table.text('error').nullable();
    table.bigInteger('started_at').nullable();
    table.bigInteger('finished_at').nullable();
    table.primary(['run_id', 'host']);
  });

  await knex.schema.createTable('schedules', table => {
    table.comment('Cron schedules of jobs');
    table.string('id', 36).primary();
    table.string('job_id', 36).notNullable();
    table.string('name', 63).notNullable();
    table.string('cron', 120).notNullable();
    table.string('time_zone', 64).notNullable();
    table.text('selector').notNullable();
    table.text('params').notNullable();
    table.text('options').notNullable();
    table.string('missed_policy', 16).notNullable().comment('skip or run-once');
    table.boolean('enabled').notNullable().defaultTo(true);
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
    table
      .bigInteger('last_tick_at')
      .notNullable()
      .comment('Latest tick already considered');
    table.index(['job_id'], 'schedules_job_idx');
  });

  await knex.schema.createTable('schedule_ticks', table => {
    table.comment('Claimed ticks: the primary key lets one replica run each');
    table.string('schedule_id', 36).notNullable();
    table.bigInteger('tick_at').notNullable();
    table.string('claimed_by', 64).notNullable();
    table.bigInteger('claimed_at').notNullable();
    table.string('run_id', 36).nullable();
    table.primary(['schedule_id', 'tick_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('schedule_ticks');
  await knex.schema.dropTable('schedules');
  await knex.schema.dropTable('run_hosts');
  await knex.schema.dropTable('runs');
  await knex.schema.dropTable('job_versions');
  await knex.schema.dropTable('jobs');
};
