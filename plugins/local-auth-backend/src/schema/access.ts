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
  'GET /me/session': {
    authenticate: ['user'],
    reason:
      "a signed-in tab asks whether its own token's session is still live",
  },
  'GET /accounts/{name}/sessions': localAccountReadPermission,
  'POST /accounts/{name}/sign-out-everywhere': localAccountManagePermission,
  'POST /internal/verify-password': {
    authenticate: ['service'],
    reason:
      'backend plugins re-check a password (TOTP enrolment); the handler admits plugin:* callers only',
  },
  'POST /internal/sessions/lookup': {
    authenticate: ['service'],
    reason:
      "the auth plugin's opsdeck provider; the handler admits plugin:auth only",
  },
  'POST /internal/sessions/confirm': {
    authenticate: ['service'],
    reason:
      "the auth plugin's opsdeck provider; the handler admits plugin:auth only",
  },
};
