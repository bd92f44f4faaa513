import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  cicdBuildReadPermission,
  cicdBuildRebuildPermission,
  cicdCauseManagePermission,
  cicdAlertManagePermission,
} from '@opsdeck/plugin-opsdeck-common';
import { OpsdeckPermissionPolicy } from './policy';
import {
  demoRolesConfig,
  demoUserInfo,
  demoUserInfoService,
} from './testUtils';

const { ALLOW, DENY } = AuthorizeResult;

const policy = OpsdeckPermissionPolicy.fromConfig(
  new ConfigReader({ opsdeck: { roles: demoRolesConfig } }),
  { userInfo: demoUserInfoService },
);

async function decide(user: string, permission: Permission) {
  const credentials = mockCredentials.user(`user:default/${user}`);
  const info = await demoUserInfo(credentials);
  return (await policy.handle({ permission }, { credentials, info })).result;
}

// The CI/CD block of the grant table (docs/permissions.md).
// prettier-ignore
const matrix: Array<[Permission, Record<string, AuthorizeResult>]> = [
  //                                 alice  bob    carol  dave   erin   mallory
  [cicdBuildReadPermission,    { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, mallory: DENY }],
  [cicdBuildRebuildPermission, { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  mallory: DENY }],
  [cicdCauseManagePermission,  { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: ALLOW, erin: DENY,  mallory: DENY }],
  [cicdAlertManagePermission,  { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
];

describe('CI/CD grants', () => {
  it.each(matrix)('%s', async (permission, expected) => {
    for (const [user, result] of Object.entries(expected)) {
      expect([user, await decide(user, permission)]).toEqual([user, result]);
    }
  });
});
