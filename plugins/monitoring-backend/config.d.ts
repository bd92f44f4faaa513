export interface Config {
  opsdeck?: {
    /** Monitoring and alerts (plugins/monitoring-backend). */
    monitoring?: {
      /** node_exporter port of hosts without an `opsdeck.io/exporter` annotation. Default 9100. */
      nodeExporterPort?: number;
      /** Timeout of one channel delivery in ms. Default 10000. */
      deliveryTimeoutMs?: number;
      limits?: {
        /**
         * Messages one person may send to one channel by hand per minute: test
         * sends and retries of a delivery count together; more are refused
         * with 429 `monitoring-rate-limited` (and Retry-After). Default 5.
         */
        sendsPerMinute?: number;
      };
      alerts?: {
        /** Days resolved alert states (and test sends) and their deliveries are kept; older ones are deleted by an hourly task. Default 90 (at least 1). */
        retentionDays?: number;
        /**
         * Hours without a notification from Alertmanager after which a firing
         * alert is resolved as stale (Alertmanager resends firing alerts every
         * repeat_interval: keep this above it). Default 24.
         */
        staleAfterHours?: number;
      };
      /**
       * Escalation of unacknowledged firing alerts (a scheduled task, one
       * replica sends each step). `afterMinutes`, `notify` and `reminders`
       * here are the default policy; `policies` choose another by the alert's
       * `severity` label and its catalog owner group (first match wins). An
       * alert no policy matches uses the default (none set: not escalated).
       * Unset: no escalation, no reminders. Errors stop the backend at startup.
       */
      escalation?: {
        /** Minutes a firing alert may stay unacknowledged (since opsdeck received it) before it is escalated. */
        afterMinutes?: number;
        /** Who it is escalated to: `group:<ref>` (the channels routed to that catalog group) or `channel:<name>`. */
        notify?: string[];
        reminders?: {
          /** Reminders after the escalation, to the owner's channels and notify (default 0). */
          times?: number;
          /** Minutes between reminders (default afterMinutes). */
          everyMinutes?: number;
        };
        /** Policies by severity and owner, tried in order; the first that matches applies. */
        policies?: Array<{
          /** Lower-case name, unique, not `default` (in logs). */
          name: string;
          /** `severity` label values (case-insensitive) it is for; unset: any. */
          severities?: string[];
          /** Catalog owner groups (`ops`, `group:default/dba`) it is for; unset: any. At least one of severities / owners. */
          owners?: string[];
          /** false: matching alerts are never escalated (give no afterMinutes / notify / reminders). Default true. */
          escalate?: boolean;
          /** As the default's afterMinutes (required unless escalate is false). */
          afterMinutes?: number;
          /** As the default's notify (required unless escalate is false). */
          notify?: string[];
          reminders?: {
            times?: number;
            everyMinutes?: number;
          };
        }>;
      };
      /** Prometheus (started with --web.enable-lifecycle: rules are reloaded with POST /-/reload). */
      prometheus?: { url: string };
      /** Alertmanager (silences through its API v2). */
      alertmanager?: { url: string };
      rules?: {
        /** The rule file Prometheus reads (in its rule_files); unset: rules are validated and kept, not written. */
        file?: string;
        /** promtool binary. Default promtool. */
        promtool?: string;
      };
      /** TCP and HTTP probes run by the blackbox exporter (Debian prometheus-blackbox-exporter). */
      probes?: {
        blackbox?: {
          /** The exporter's --config.file; opsdeck writes one module per probe there. Unset: modules are checked, not written. */
          configFile?: string;
          /** The exporter's base URL, for POST /-/reload. */
          url?: string;
          /** Exporter binary for --config.check. Default prometheus-blackbox-exporter. */
          binary?: string;
        };
        /** Addresses or subnets (127.0.0.1, 10.1.0.0/16) probes may reach though loopback, link-local or metadata. Default none. */
        allowTargets?: string[];
        /** Shortest probe interval in seconds. Default 5 (at least 1). */
        minIntervalSeconds?: number;
        /** DNS servers (ip or ip:port) probe target names are resolved with (A and AAAA). Default: the system resolver. */
        dnsServers?: string[];
        /** Vault credential process probes log in with on hosts that name none (`spec.credential`). */
        defaultCredential?: string;
      };
      /** Notification channels of the alert router. */
      channels?: Array<{
        /** Lower-case name, unique. */
        name: string;
        /** dingtalk, wecom, feishu, webhook, email or notifications (Backstage). */
        type: string;
        /**
         * Robot or webhook URL (may carry the robot's access token).
         * @visibility secret
         */
        url?: string;
        /** Vault credential (password) with the signing secret; read at each use (use alert-channel). */
        secretCredential?: string;
        /** Owner group of the secret credential (the vault checks it). */
        owner?: string;
        /** DingTalk / WeCom mobiles to @-mention. */
        mobiles?: string[];
        /** Email addresses. */
        to?: string[];
        /** Route alerts of these owner groups only; default every alert. */
        owners?: string[];
      }>;
      /** SMTP server for email channels. */
      smtp?: {
        host: string;
        port?: number;
        secure?: boolean;
        /** Default true unless the host is loopback. */
        requireTLS?: boolean;
        from: string;
        username?: string;
        /** @visibility secret */
        password?: string;
      };
    };
  };
}
