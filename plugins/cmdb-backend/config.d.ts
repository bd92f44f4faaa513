export interface Config {
  opsdeck?: {
    cmdb?: {
      /**
       * Vault credential used for hosts that name none (spec.credential).
       */
      defaultCredential?: string;
      facts?: {
        /** How often facts of every host are collected. Default 10. */
        frequencyMinutes?: number;
        /** Delay of the first collection after start-up. Default 30. */
        initialDelaySeconds?: number;
        /** Hosts collected at once. Default 20. */
        concurrency?: number;
        /** Limit per host (connect + command). Default 30000. */
        timeoutMs?: number;
      };
      catalogSync?: {
        /** How often catalog hosts are mirrored into the index. Default 5. */
        frequencyMinutes?: number;
        /** Delay of the first mirroring after start-up. Default 20. */
        initialDelaySeconds?: number;
      };
      /**
       * Development only, used when the vault plugin is not installed:
       * credentials by name with a private key file.
       */
      credentials?: {
        [name: string]: {
          privateKeyFile: string;
          username?: string;
        };
      };
    };
  };
}
