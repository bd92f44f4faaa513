export interface Config {
  opsdeck?: {
    sql?: {
      console?: {
        /** Most rows a console query returns (default 1000). */
        maxRows?: number;
        /** Console statement timeout in seconds (default 30). */
        timeoutSeconds?: number;
      };
      masking?: {
        /** Masking rules added to the built-in phone, ID number and e-mail rules. */
        rules?: Array<{
          name: string;
          kind: 'phone' | 'idcard' | 'email' | 'regex';
          /** Regular expression for column names. */
          columns?: string;
          /** Regular expression for values (kind `regex`). */
          pattern?: string;
          detectInValues?: boolean;
        }>;
        /**
         * A console query that filters, joins, groups or sorts on a masked
         * column: `refuse` (default) or `audit` (run, audit event names the columns).
         */
        filterOnMasked?: 'refuse' | 'audit';
      };
      review?: {
        /**
         * Groups that approve destructive changes (DROP, TRUNCATE, DROP
         * COLUMN ...) after the instance's approvers (default [admins]);
         * instances override with opsdeck.io/sql-destructive-approvers.
         */
        destructiveApprovers?: string[];
      };
      schedule?: {
        /** How often due scheduled changes are looked for, in seconds (default 10). */
        intervalSeconds?: number;
      };
      slowQueries?: {
        /** How often every instance's slow-query snapshot is refreshed, in minutes (default 15). */
        refreshMinutes?: number;
        /** Statements kept per instance (default 20). */
        top?: number;
        /** Longest wait for one instance during a refresh, in seconds (default 30). */
        timeoutSeconds?: number;
        /** How many days earlier snapshots are kept for the history picker (default 7). */
        historyDays?: number;
      };
      execution?: {
        /** How often the replica executing a change records a heartbeat, in seconds (default 30). */
        heartbeatSeconds?: number;
        /** An `executing` change without a heartbeat for this long is marked failed (default 300). */
        staleAfterSeconds?: number;
      };
    };
  };
}
