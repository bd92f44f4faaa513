// @ts-check

/**
 * Credential policy, checked every time a secret is taken out of the vault:
 * the owner group (existing `owner` column) plus the uses the credential may
 * serve and, optionally, the systems and environments of the targets it may
 * serve (JSON arrays of strings; empty means any system / environment).
 *
 * What existing credentials get (secure by default): the vault cannot know
 * from the past who a credential was meant for, so nothing is widened.
 * - SSH keys get `["ssh-login"]`: a key can only log in to hosts (job
 *   secrets, webhook signatures and database logins need passwords), and key
 *   authentication never hands the key to the host it logs in to.
 * - Passwords get no use at all: a password is handed to whatever asks for it
 *   (a host's sshd, a database, a job's script), which is the hole this policy
 *   closes; an admin chooses its uses on the Credentials page.
 * - Owners stay as they were; a credential without an owner serves no target
 *   until an admin sets one.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('vault_credentials', table => {
    table
      .text('allowed_uses')
      .notNullable()
      .defaultTo('[]')
      .comment(
        'JSON array: ssh-login, db-admin, db-change, db-read, job-secret',
      );
    table
      .text('allowed_systems')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON array of system entity refs; empty: any system');
    table
      .text('allowed_environments')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON array of environments; empty: any environment');
  });
  await knex('vault_credentials')
    .where({ type: 'ssh-key' })
    .update({ allowed_uses: JSON.stringify(['ssh-login']) });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('vault_credentials', table => {
    table.dropColumn('allowed_uses');
    table.dropColumn('allowed_systems');
    table.dropColumn('allowed_environments');
  });
};
