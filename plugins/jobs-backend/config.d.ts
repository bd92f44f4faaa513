export interface Config {
  opsdeck?: {
    jobs?: {
      /** Vault credential for hosts without spec.credential. */
      defaultCredential?: string;
      /** Bytes of stdout and of stderr kept per host (default 1048576). */
      maxOutputBytes?: number;
      /** How often each replica looks for due schedule ticks (default 10). */
      scheduleIntervalSeconds?: number;
      /** A tick seen later than this is missed (default 60). */
      missedGraceSeconds?: number;
      /** Runs whose replica has not reported for this long are interrupted (default 60). */
      staleRunSeconds?: number;
      /** Per attempt of a job's webhook POST (default 5). */
      webhookTimeoutSeconds?: number;
      /** Extra attempts of a webhook POST after a network error, timeout or 5xx (default 2). */
      webhookRetries?: number;
      /** How often a run's event stream reads the database, in ms (default 500). */
      streamPollMs?: number;
      /**
       * Host environments (`spec.environment`) whose hosts need
       * `opsdeck.jobs.run.prod` besides `opsdeck.jobs.run` (default [prod]).
       */
      prodEnvironments?: string[];
      /**
       * Where job webhooks may go (checked when a job is saved and at every
       * delivery): URL prefixes (scheme, host or `*.domain`, optional port and
       * path). A target resolving to a private, loopback or link-local
       * address is refused unless its entry has `allowPrivate: true`. Empty
       * (the default): no webhook may be saved or sent.
       */
      webhookAllowList?: Array<
        string | { url: string; allowPrivate?: boolean }
      >;
    };
  };
}
