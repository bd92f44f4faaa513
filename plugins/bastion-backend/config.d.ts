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
      /**
       * Host-side exec audit (auditd execve rules per session, read back over SSH) for the
       * hosts each entry selects (first match). See docs/bastion.md.
       */
      execAudit?: Array<{
        /** Which hosts (every given field must match; environment alone selects by environment). */
        hosts: {
          host?: string;
          system?: string;
          owner?: string;
          tag?: string;
          environment?: string;
        };
        /** Vault credential of the audit login, which may run auditctl and ausearch. */
        credential: string;
        /** Login user of the audit login (default: the credential's username). */
        loginUser?: string;
        /** Run auditctl/ausearch through `sudo -n` (default false: the login is root). */
        sudo?: boolean;
        /** Audit log to search (default: ausearch's, /var/log/audit/audit.log). */
        logFile?: string;
        /** Refuse sessions when the exec audit cannot be set up (default true). */
        required?: boolean;
      }>;
      /** Seconds between read-backs of live audited sessions' exec records (default 10). */
      execAuditCollectSeconds?: number;
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
