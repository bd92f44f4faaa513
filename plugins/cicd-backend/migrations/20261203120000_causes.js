// @ts-check

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  // Causes people add to the failure locator's knowledge base (the built-in
  // ones are code: src/locator/knowledgeBase.ts). Rows are inserted and
  // deleted, never changed, so the set of ids identifies a knowledge base.
  await knex.schema.createTable('cicd_causes', table => {
    table.increments('id');
    table.string('name', 255).notNullable();
    // a CauseCategory of @opsdeck/plugin-cicd-common
    table.string('category', 32).notNullable();
    // JSON array of RE2 patterns (validated before they are stored)
    table.text('patterns').notNullable();
    table.string('runbook', 2048).nullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cicd_causes');
};
