export interface Config {
  opsdeck?: {
    /** The credentials vault (plugin `vault`): SSH keys and passwords, encrypted at rest. */
    vault?: {
      /**
       * AES-256 keys that encrypt the credentials (AES-256-GCM). The FIRST key
       * encrypts new and replaced secrets; every listed key can decrypt. To
       * rotate: put a new key first, keep the old one after it, call
       * `POST /api/vault/rotate` (admin), then remove the old key.
       * The backend refuses to start without at least one valid key.
       */
      keys: Array<{
        /**
         * Stored with every encrypted row to find its key again; 1-64 of
         * letters, digits, `.`, `_`, `-`. Never reuse an id for another secret.
         */
        id: string;
        /**
         * 32 random bytes, base64 (44 characters) or hex (64 characters),
         * e.g. `openssl rand -base64 32`. Usually `${OPSDECK_VAULT_KEY}`.
         * @visibility secret
         */
        secret: string;
      }>;
    };
  };
}
