// @ts-check
/**
 * Server-side sessions (the cookie carries a random token whose keyed hash finds the row) and
 * sign-in attempt counters (one row per address, per account and address, per account), which
 * replace the per-account counter columns of local_accounts.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('local_auth_sessions', table => {
    table.comment('Sign-in sessions; ended sessions mint no more tokens');
    table.string('id', 36).primary().comment('Public id (in Backstage tokens)');
    table
      .string('token_hash', 64)
      .notNullable()
      .unique()
      .comment(
        'HMAC-SHA256 (sessionSecret) of the cookie token; never the token',
      );
    table.string('account', 255).notNullable().index();
    table.bigInteger('created_at').notNullable().comment('ms since the epoch');
    table.bigInteger('expires_at').notNullable();
    table.bigInteger('last_seen_at').notNullable();
    table
      .string('address', 255)
      .nullable()
      .comment('client address at sign-in');
    table.string('last_address', 255).nullable();
    table.text('user_agent').nullable();
    table
      .text('ownership')
      .nullable()
      .comment(
        'ownership refs at the first token refresh (JSON); a change ends the session',
      );
    table.bigInteger('ended_at').nullable();
    table.string('end_reason', 64).nullable();
    table.string('ended_by', 255).nullable();
  });
  await knex.schema.createTable('local_auth_attempts', table => {
    table.comment(
      'Failed sign-in counters; a claim is one conditional upsert, so parallel guesses cannot pass the limit',
    );
    table.string('key', 600).primary();
    table
      .string('scope', 32)
      .notNullable()
      .comment('address | account-address | account');
    table.string('account', 255).nullable().index();
    table.string('address', 255).nullable();
    table.integer('failures').notNullable().defaultTo(0);
    table
      .bigInteger('last_failure_at')
      .notNullable()
      .comment('ms since the epoch');
  });
  await knex.schema.alterTable('local_accounts', table => {
    table.dropColumn('failed_attempts');
    table.dropColumn('locked_until');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('local_accounts', table => {
    table.integer('failed_attempts').notNullable().defaultTo(0);
    table.timestamp('locked_until', { useTz: true }).nullable();
  });
  await knex.schema.dropTable('local_auth_attempts');
  await knex.schema.dropTable('local_auth_sessions');
};
