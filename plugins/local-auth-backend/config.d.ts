export interface Config {
  opsdeck?: {
    /** Local password accounts (plugin local-auth and the `opsdeck` auth provider). */
    localAuth?: {
      /**
       * Secret that keys the hashes of session tokens in the database (HMAC-SHA256; the
       * `opsdeck_session` cookie carries a random token, the table only its keyed hash).
       * Required; at least 32 random bytes in production, the same on every backend instance.
       * A new value ends every session.
       * @visibility secret
       */
      sessionSecret: string;
      /** How long a sign-in lasts, in minutes. Default 720 (12 hours). */
      sessionDuration?: number;
      /**
       * Consecutive failed sign-ins of one account from one address before the account is
       * locked for that address. Default 5.
       */
      maxFailedAttempts?: number;
      /** How long a lock lasts after the last failure, in minutes. Default 15. */
      lockoutMinutes?: number;
      /**
       * Failed sign-ins of one account from all addresses before the account is locked
       * everywhere and its sessions end. Default 50 (more than one address may make: see
       * addressMaxFailures).
       */
      accountMaxFailures?: number;
      /** Failed sign-ins from one address (any accounts) before it is throttled. Default 20. */
      addressMaxFailures?: number;
      /** Window of the address throttle, in minutes. Default 15. */
      addressWindowMinutes?: number;
      /**
       * log2 of scrypt's N for new password hashes (r=8, p=1). Default 17, OWASP's minimum;
       * production refuses less. Tests lower it to save time.
       */
      scryptCost?: number;
      /** Shortest password that may be set. Default 10. */
      minPasswordLength?: number;
      /**
       * Accounts created at start when they don't exist yet. An existing
       * account's password is never overwritten.
       */
      seedUsers?: Array<{
        /** Catalog User entity name, e.g. `alice`. */
        name: string;
        /** @visibility secret */
        password: string;
      }>;
      /**
       * Show the demo users and password on the sign-in page. Only for demos.
       * @visibility frontend
       */
      demoHint?: boolean;
    };
  };
}
