// @ts-check

/**
 * Credentials of the vault. The secret is only stored encrypted (AES-256-GCM):
 * `ciphertext`, `iv` and `auth_tag` (base64) under the key `key_id` of
 * `opsdeck.vault.keys`. Everything else is metadata, shown in the UI.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('vault_credentials', table => {
    table.comment('Vault credentials: metadata in clear, secret encrypted');
    table.string('name', 63).primary().comment('Unique credential name');
    table.string('type', 16).notNullable().comment('ssh-key or password');
    table.string('username', 255).nullable().comment('Default login user');
    table.text('description').notNullable().defaultTo('');
    table.string('owner', 255).nullable().comment('Owning group entity ref');
    table
      .string('fingerprint', 128)
      .nullable()
      .comment('SHA256 fingerprint of the public key (ssh-key only)');
    table
      .string('key_algorithm', 64)
      .nullable()
      .comment('SSH key type, e.g. ssh-ed25519 (ssh-key only)');
    table
      .string('key_id', 64)
      .notNullable()
      .comment('Id of the opsdeck.vault.keys entry that encrypted the secret');
    table.string('iv', 32).notNullable().comment('96-bit GCM nonce, base64');
    table.string('auth_tag', 32).notNullable().comment('GCM tag, base64');
    table.text('ciphertext').notNullable().comment('Encrypted secret, base64');
    table.string('created_by', 512).notNullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.string('updated_by', 512).notNullable();
    table.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
    table
      .timestamp('secret_updated_at', { useTz: true, precision: 3 })
      .notNullable()
      .comment('When the secret value was last set');

    table.index(['key_id'], 'vault_credentials_key_id_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('vault_credentials');
};
