// @ts-check

/**
 * Change approvals (`@opsdeck/plugin-tickets-node`): a ticket that approves
 * one prod change names its kind, target and the sha256 of the change's
 * canonical JSON; the claim (one UPDATE ... WHERE claimed_at IS NULL AND
 * change_digest = ?) records who used it and when, once.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tickets', table => {
    table
      .string('change_kind', 32)
      .nullable()
      .comment('config-release|kubernetes-action; null: not a change approval');
    table
      .string('change_target', 255)
      .nullable()
      .comment('entity ref the change acts on');
    table
      .string('change_digest', 64)
      .nullable()
      .comment('sha256 (hex) of the canonical JSON of the approved change');
    table.timestamp('claimed_at', { useTz: true, precision: 3 }).nullable();
    table.string('claimed_by', 255).nullable().comment('User entity ref');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tickets', table => {
    table.dropColumn('change_kind');
    table.dropColumn('change_target');
    table.dropColumn('change_digest');
    table.dropColumn('claimed_at');
    table.dropColumn('claimed_by');
  });
};
