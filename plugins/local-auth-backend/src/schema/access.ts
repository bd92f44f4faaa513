import {
  localAccountChangeOwnPasswordPermission,
  localAccountManagePermission,
  localAccountReadPermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

/** Who may call each operation; checked before the request is validated. */
export const access: OperationAccess<typeof spec> = {
  'POST /login': { public: 'signing in is how a caller gets credentials' },
  'POST /logout': {
    public: 'ends the session of the cookie it is sent with, if any',
  },
  'GET /accounts': localAccountReadPermission,
  'PUT /accounts/{name}/password': localAccountManagePermission,
  'POST /accounts/{name}/unlock': localAccountManagePermission,
  'POST /me/password': {
    permission: localAccountChangeOwnPasswordPermission,
    allow: ['user'],
  },
};
