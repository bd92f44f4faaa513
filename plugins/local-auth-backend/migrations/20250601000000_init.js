// @ts-check

/**
 * Local password accounts. `name` is the catalog User entity name.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('local_accounts', table => {
    table.comment('Password accounts for the opsdeck sign-in provider');
    table.string('name', 255).primary().comment('Catalog User entity name');
    table
      .text('password_hash')
      .notNullable()
      .comment('scrypt hash string with its parameters and salt');
    table
      .integer('failed_attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Consecutive failed sign-ins');
    table
      .timestamp('locked_until', { useTz: true })
      .nullable()
      .comment('Sign-in refused until this time');
    table.timestamp('last_login_at', { useTz: true }).nullable();
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now());
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now());
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('local_accounts');
};
