import {
  jobsManagePermission,
  jobsReadPermission,
  jobsRunPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/**
 * Who may call each operation; checked before the request is validated.
 * jobs.run is a resource permission: the edge refuses callers who hold it on
 * no host; the router then checks it on each host the run targets.
 */
export const access: OperationAccess<typeof spec> = {
  'GET /jobs': jobsReadPermission,
  'POST /jobs': jobsManagePermission,
  'GET /jobs/{id}': jobsReadPermission,
  'PUT /jobs/{id}': jobsManagePermission,
  'DELETE /jobs/{id}': jobsManagePermission,
  'GET /jobs/{id}/versions': jobsReadPermission,
  // read-like: resolves a selector to the hosts the caller may see
  'POST /hosts/preview': jobsReadPermission,
  'GET /runs': jobsReadPermission,
  'POST /runs': jobsRunPermission,
  'GET /runs/{id}': jobsReadPermission,
  'GET /runs/{id}/hosts/{host}': jobsReadPermission,
  'GET /runs/{id}/groups': jobsReadPermission,
  'GET /runs/{id}/events': jobsReadPermission,
  'POST /runs/{id}/cancel': jobsRunPermission,
  'POST /runs/{id}/rerun': jobsRunPermission,
  'GET /schedules': jobsReadPermission,
  'POST /schedules': jobsManagePermission,
  'PATCH /schedules/{id}': jobsManagePermission,
  'DELETE /schedules/{id}': jobsManagePermission,
};
