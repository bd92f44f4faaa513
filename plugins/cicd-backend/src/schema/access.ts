import {
  cicdBuildReadPermission,
  cicdBuildRebuildPermission,
  cicdCauseManagePermission,
  cicdAlertManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import type { OperationAccess } from '@opsdeck/plugin-opsdeck-node';
import type { spec } from './openapi.generated';

const people = ['user' as const];
const read = { permission: cicdBuildReadPermission, allow: people };

/**
 * Who may call each operation; checked before the request is validated.
 * Builds are read by people (the entity is then read from the catalog with
 * their credentials, so catalog permissions apply too); rebuilding is its
 * own permission and is audited with the person as actor.
 */
export const access: OperationAccess<typeof spec> = {
  'GET /entities/{kind}/{namespace}/{name}/builds': read,
  'GET /entities/{kind}/{namespace}/{name}/build': read,
  'GET /entities/{kind}/{namespace}/{name}/flaky': read,
  // a Jenkins build's archived file (the build re-read with the person's
  // credential: only a path it lists)
  'GET /entities/{kind}/{namespace}/{name}/artifact': read,
  'POST /entities/{kind}/{namespace}/{name}/rebuild': {
    permission: cicdBuildRebuildPermission,
    allow: people,
  },
  // built-in and stored causes
  'GET /causes': read,
  // adding and deleting stored causes: audited with the person as actor
  'POST /causes': { permission: cicdCauseManagePermission, allow: people },
  'DELETE /causes/{id}': {
    permission: cicdCauseManagePermission,
    allow: people,
  },
  // the alert outbox's given-up rows (every component's): ops
  'GET /alerts/given-up': {
    permission: cicdAlertManagePermission,
    allow: people,
  },
  // one atomic claim of the row; audited with the person as actor
  'POST /alerts/given-up/{id}/retry': {
    permission: cicdAlertManagePermission,
    allow: people,
  },
  // the entity is read with the caller's credentials (404 when hidden)
  'GET /timeline': read,
  // computes only (nothing is stored); RE2 bounds the time
  'POST /causes/try': read,
  // answered by src/intake/intakeRouter.ts before this router
  'POST /intake/builds': {
    public:
      "CI systems have no Backstage session: the HMAC signature with the posting system's own secret over timestamp, delivery id and the raw bytes is the credential, checked before the body is parsed, behind a failure gate (signedRequest.ts)",
  },
  // the same signed-request check as builds (verifySignedRequest)
  'POST /intake/deployments': {
    public:
      "CD systems have no Backstage session: the same HMAC signature with the posting system's own secret and failure gate as POST /intake/builds (signedRequest.ts)",
  },
};
