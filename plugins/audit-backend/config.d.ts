export interface Config {
  opsdeck?: {
    audit?: {
      /**
       * Auditor events of at least this severity are stored in the audit log
       * (all are still logged). Stock plugins report reads as `low` and
       * changes as `medium` or higher. Default: `medium`.
       */
      minSeverity?: 'low' | 'medium' | 'high' | 'critical';
    };
  };
}
