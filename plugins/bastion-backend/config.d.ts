export interface Config {
  opsdeck?: {
    bastion?: {
      /** Directory of asciicast recordings, relative to the backend's working directory (default .data/recordings). */
      recordingsDir?: string;
      /** Seconds without input or output before a session is closed (default 900). */
      idleTimeoutSeconds?: number;
      /** Longest session in seconds (default 28800). */
      maxSessionSeconds?: number;
      /** Seconds between checks of open sessions against their grants (default 30). */
      grantCheckSeconds?: number;
      /**
       * Name of this backend instance among replicas on one database (default: the host name).
       * It stays the same across restarts, so a restarted backend ends its own previous sessions
       * at once; replicas on one host need distinct names.
       */
      instanceId?: string;
      /** Seconds a command under a `review` rule waits for an approver before it is denied (default 300). */
      reviewTimeoutSeconds?: number;
      /** Seconds between heartbeats of this instance's open sessions (default 10). */
      heartbeatSeconds?: number;
      /** Seconds without heartbeat after which an open session is ended as interrupted (default 3 heartbeats). */
      staleSeconds?: number;
      /** Vault credential for hosts without one (default opsdeck.cmdb.defaultCredential). */
      defaultCredential?: string;
      mfa?: {
        /** Host environments that need a TOTP step-up (default [prod]). */
        requiredEnvironments?: string[];
        /** Minutes a step-up stays valid (default 15). */
        windowMinutes?: number;
        /**
         * AES-256 key, base64, that encrypts TOTP secrets.
         * @visibility secret
         */
        key?: string;
        /** Wrong codes allowed within lockMinutes (default 5). */
        maxFailures?: number;
        /** Minutes of the wrong-code window and lock (default 5). */
        lockMinutes?: number;
      };
    };
  };
}
