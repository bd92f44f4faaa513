import {
  reportEditPermission,
  reportManagePermission,
  reportReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

const people = ['user' as const];
const read = { permission: reportReadPermission, allow: people };
const edit = { permission: reportEditPermission, allow: people };

/**
 * Who may call each operation; checked before the request is validated.
 * Reports are read and written by people only (a service token has no team).
 * Editing a team's report also needs membership of the team or
 * report.manage, which the router checks on the report.
 */
export const access: OperationAccess<typeof spec> = {
  'GET /reports': read,
  'GET /reports/{id}': read,
  'GET /reports/{id}/figures/{figure}/records': read,
  'PUT /reports/{id}/highlights': edit,
  'POST /reports/{id}/send': edit,
  'POST /weeks/{weekStart}/generate': {
    permission: reportManagePermission,
    allow: people,
  },
  'GET /feed': read,
  'GET /feed-token': read,
  'POST /feed-token': read,
  'DELETE /feed-token': read,
  'GET /feeds/{token}': {
    public:
      'feed readers have no session: the personal feed token in the path is the credential (checked by the router, its user must still be in the catalog)',
  },
};
