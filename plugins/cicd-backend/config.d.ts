export interface Config {
  opsdeck?: {
    /** CI/CD (Jenkins builds on catalog entities, failure locator). */
    cicd?: {
      /** Jenkins instances; the annotation names them as `instance:job/path`. */
      instances?: Array<{
        /** Lower-case name, e.g. `main`. */
        name: string;
        /** e.g. https://jenkins.example.com */
        baseUrl: string;
        /** Vault credential (username + API token) used at each call; none for anonymous read. */
        credential?: string;
        /**
         * Monitoring alert channels the alerts of this instance's jobs also go to, instead of
         * `alerts.channels` (`[]`: notifications only).
         */
        alertChannels?: string[];
      }>;
      /** Instance of a job reference without `instance:` (default: the first). */
      defaultInstance?: string;
      locator?: {
        /** The tail of a console log the locator keeps (bytes, default 8 MiB). */
        maxLogBytes?: number;
        /** Read no more of a console log than this (bytes, default 64 MiB). */
        maxFetchBytes?: number;
      };
      /** Per-request timeout towards Jenkins in ms (default 15000). */
      timeoutMs?: number;
      /** Jenkins artifacts downloaded through the backend (GET .../artifact). */
      artifacts?: {
        /** Largest download passed through in bytes (default 512 MiB). */
        maxBytes?: number;
        /** Time a download may take in ms (default 600000). */
        timeoutMs?: number;
      };
      /** Build-failure alerts to the owner of the entity (Backstage notifications). */
      alerts?: {
        /** Poll Jenkins for ended builds (default true). */
        enabled?: boolean;
        /** Seconds between polls (default 60); one replica polls at a time. */
        pollSeconds?: number;
        /** Branches whose failures alert (default main, master). */
        mainBranches?: string[];
        /**
         * Monitoring alert channels (names of `opsdeck.monitoring.channels`: mail, DingTalk, WeCom,
         * Feishu, webhooks) every failure and recovery alert also goes to, through monitoring-node
         * (default none: Backstage notifications only).
         */
        channels?: string[];
        /** Builds per request to Jenkins: the first page of each job and every further page (default 10). */
        buildsPerJob?: number;
        /**
         * Builds read per job and poll beyond the first page when more than a page ended since the
         * last poll (default 200): the oldest first, the rest the next poll.
         */
        maxBuildsPerPoll?: number;
        /** The alert outbox: a failed send is retried with backoff. */
        delivery?: {
          /** Attempts before an alert is given up (default 8). */
          maxAttempts?: number;
          /** First retry delay in seconds, doubled each attempt (default 30). */
          backoffSeconds?: number;
          /** Longest retry delay in seconds (default 3600). */
          maxBackoffSeconds?: number;
          /** Seconds between runs of the delivery task (default 30). */
          retrySeconds?: number;
        };
      };
      /** The signed webhook other CI systems post builds to (POST /api/cicd/intake/builds). */
      intake?: {
        /**
         * The CI systems that may post, each with its own vault credential
         * (password = its HMAC-SHA256 secret): `{ gitlab: { credential: ci-intake-gitlab } }`.
         * A system's secret signs for that system only; without systems every post is refused.
         * (The former single `credential` is refused at start.)
         */
        systems?: {
          [system: string]: {
            credential: string;
            /** The credential's owner group (default: `owner`). */
            owner?: string;
          };
        };
        /** The group owning the credentials (the vault checks it at each use). */
        owner?: string;
        /** Signature failures per client address and per claimed system in a window before 429 (default 20). */
        failureLimit?: number;
        /** The failure window in seconds (default 60). */
        failureWindowSeconds?: number;
        /** Largest body accepted in bytes (default 2 MiB). */
        maxBodyBytes?: number;
        /** The tail of a posted log that is kept (bytes, default 1 MiB). */
        maxLogBytes?: number;
        /** Accepted clock difference of the timestamp header in seconds (default 300). */
        toleranceSeconds?: number;
      };
    };
  };
}
