// @ts-check

/**
 * On-call rotations: one row per rotation of a catalog group (the alert
 * owner) with its ordered members (JSON array of user refs), shift, local
 * handoff time, IANA time zone and local start date; and overrides (a person
 * covers [start_at, end_at)). Times are milliseconds since the epoch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('monitoring_oncall_rotations', table => {
    table.comment('On-call rotations of catalog groups');
    table.increments('id');
    table.string('group_ref', 255).notNullable();
    table.string('name', 100).notNullable();
    table.text('members').notNullable().comment('JSON array of user refs');
    table
      .string('shift_kind', 16)
      .notNullable()
      .comment('daily, weekly, hours');
    table.integer('shift_hours').nullable();
    table.string('handoff_time', 5).notNullable().comment('HH:mm local');
    table.string('time_zone', 64).notNullable().comment('IANA');
    table.string('start_date', 10).notNullable().comment('YYYY-MM-DD local');
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.string('updated_by', 255).notNullable();
    table.bigInteger('updated_at').notNullable();
    table.unique(['group_ref', 'name'], {
      indexName: 'monitoring_oncall_rotations_name_uniq',
    });
  });
  await knex.schema.createTable('monitoring_oncall_overrides', table => {
    table.comment('A person covering an on-call rotation for a time range');
    table.increments('id');
    table
      .integer('rotation_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('monitoring_oncall_rotations')
      .onDelete('CASCADE');
    table.string('user_ref', 255).notNullable();
    table.bigInteger('start_at').notNullable();
    table.bigInteger('end_at').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.index(['rotation_id', 'end_at'], 'monitoring_oncall_overrides_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('monitoring_oncall_overrides');
  await knex.schema.dropTable('monitoring_oncall_rotations');
};
