export interface Config {
  opsdeck?: {
    /** Local password accounts (plugin local-auth and the `opsdeck` auth provider). */
    localAuth?: {
      /**
       * Secret that signs the `opsdeck_session` cookie (HMAC-SHA256). Required;
       * use a long random value and keep it the same on every backend instance.
       * @visibility secret
       */
      sessionSecret: string;
      /** How long a sign-in lasts, in minutes. Default 720 (12 hours). */
      sessionDuration?: number;
      /** Consecutive failed sign-ins before the account is locked. Default 5. */
      maxFailedAttempts?: number;
      /** How long a locked account stays locked, in minutes. Default 15. */
      lockoutMinutes?: number;
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
