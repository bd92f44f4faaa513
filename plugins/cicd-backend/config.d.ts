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
    };
  };
}
