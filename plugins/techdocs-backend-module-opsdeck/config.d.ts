import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  opsdeck?: {
    docs?: {
      /** Scheduled TechDocs builds of every catalog entity that has docs. */
      build?: {
        /** Default true. With false, docs build only when someone opens them. */
        enabled?: boolean;
        /**
         * Default: every 30 minutes, first 20 seconds after start, timeout 30
         * minutes. Runs on one replica at a time.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
