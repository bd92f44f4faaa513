// @ts-check

/**
 * Crash consistency and trust (#22, #14):
 * - `runs.instance`: the stable name of the backend instance executing the
 *   run, so a restarted instance marks its own previous runs interrupted at
 *   once; a tick's run is inserted in the transaction that claims the tick
 *   (`schedule_ticks.run_id` is set there).
 * - `runs.secret_printed`, `run_hosts.secret_printed`: the output held a
 *   secret parameter's value or an encoding of it (masked when stored).
 * - `schedules.paused_reason`, `schedules.paused_at`: the schedule paused
 *   itself because its owner lost the right to run it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('runs', table => {
    table
      .string('instance', 255)
      .nullable()
      .comment('Stable name of the backend instance executing the run');
    table.boolean('secret_printed').notNullable().defaultTo(false);
    table.index(['status', 'instance'], 'runs_status_instance_idx');
  });
  await knex.schema.alterTable('run_hosts', table => {
    table.boolean('secret_printed').notNullable().defaultTo(false);
  });
  await knex.schema.alterTable('schedules', table => {
    table
      .text('paused_reason')
      .nullable()
      .comment('Why the schedule paused itself (owner lost rights)');
    table.bigInteger('paused_at').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('schedules', table => {
    table.dropColumn('paused_at');
    table.dropColumn('paused_reason');
  });
  await knex.schema.alterTable('run_hosts', table => {
    table.dropColumn('secret_printed');
  });
  await knex.schema.alterTable('runs', table => {
    table.dropIndex(['status', 'instance'], 'runs_status_instance_idx');
    table.dropColumn('secret_printed');
    table.dropColumn('instance');
  });
};
