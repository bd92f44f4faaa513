// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // The intake's failure gate: signature failures counted per source (the
  // client address, `ip:<address>`, and the claimed CI system,
  // `system:<name>`) in fixed windows. A request takes a slot (one atomic
  // upsert) before the vault is asked for a secret and gives it back when
  // its signature matched, so only failures stay counted; over the limit
  // the intake answers 429 without asking the vault.
  await knex.schema.createTable('cicd_intake_gate', table => {
    table.string('source', 200).notNullable();
    // start of the fixed window, epoch milliseconds
    table.bigInteger('window_start').notNullable();
    table.integer('failures').notNullable();
    table.primary(['source', 'window_start']);
    table.index(['window_start']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cicd_intake_gate');
};
