export interface Config {
  opsdeck?: {
    config?: {
      /** Vault credential of hosts that name none (`spec.credential`). */
      defaultCredential?: string;
      /** Limit of each command on a host in ms (default 60000). */
      commandTimeoutMs?: number;
      /** Health check tries after a reload (default 10) and ms between them (default 500). */
      healthAttempts?: number;
      healthIntervalMs?: number;
      /** Minutes between drift checks of every set (default 15; 0 turns them off). */
      driftCheckMinutes?: number;
      /** Most hosts pushed at once in a release (default 20). */
      maxBatchSize?: number;
    };
  };
}
