import { useMemo } from 'react';
import { coreApis, useApi } from '@backstage/frontend-plugin-api';
import { AuditClient } from '@opsdeck/plugin-audit';
import { BastionClient } from '@opsdeck/plugin-bastion';
import { CmdbClient } from '@opsdeck/plugin-cmdb';
import { JobsClient } from '@opsdeck/plugin-jobs';
import { MonitoringClient } from '@opsdeck/plugin-monitoring';
import { SqlClient } from '@opsdeck/plugin-sql';
import { TicketsClient } from '@opsdeck/plugin-tickets';

/** Each feature's own API client, as the workbench cards use them. */
export function useWorkbenchClients() {
  const discovery = useApi(coreApis.discovery);
  const fetchApi = useApi(coreApis.fetch);
  const identity = useApi(coreApis.identity);
  return useMemo(
    () => ({
      audit: new AuditClient(discovery, fetchApi),
      bastion: new BastionClient(discovery, fetchApi, identity),
      cmdb: new CmdbClient(discovery, fetchApi),
      jobs: new JobsClient(discovery, fetchApi),
      monitoring: new MonitoringClient(discovery, fetchApi),
      sql: new SqlClient(discovery, fetchApi),
      tickets: new TicketsClient(discovery, fetchApi),
    }),
    [discovery, fetchApi, identity],
  );
}
