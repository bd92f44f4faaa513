export interface Config {
  opsdeck?: {
    /** The weekly tech report (plugins/report-backend). */
    report?: {
      /** Default true. With false, no reports are written or sent. */
      enabled?: boolean;
      /** IANA time zone of the report week (Monday 00:00 to Monday 00:00). Default UTC. */
      timezone?: string;
      /** Hours after Monday 00:00 at which the drafts are written. Default 0. */
      draftHour?: number;
      /**
       * Hours after Monday 00:00 at which drafts are sent; the time between
       * draftHour and sendHour is the editors' draft window. Default 10.
       */
      sendHour?: number;
      /** How often the scheduler looks for due work, in seconds. Default 300. */
      checkSeconds?: number;
      /** Catalog group types (spec.type) that get a team report. Default [team]. */
      teamTypes?: string[];
      /** Group or user refs who get the org-wide report. Default: every team member. */
      orgRecipients?: string[];
      /** Catalog environments counted as prod. Default [prod]. */
      prodEnvironments?: string[];
      sources?: {
        /** Read job runs from the jobs plugin. Default true. */
        jobs?: boolean;
      };
      /** SMTP server the reports are mailed through; without it reports are only published. */
      smtp?: {
        host: string;
        /** Default 25. */
        port?: number;
        /** TLS from the start (port 465). Default false (STARTTLS). */
        secure?: boolean;
        /** Refuse to send without TLS. Default true, except for a loopback host. */
        requireTls?: boolean;
        /** Sender address, e.g. "opsdeck <opsdeck@example.com>". */
        from: string;
        username?: string;
        /** @visibility secret */
        password?: string;
      };
    };
  };
}
