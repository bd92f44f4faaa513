import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  monitoringAlertAcknowledgePermission,
  monitoringAlertReadPermission,
  monitoringAlertReceivePermission,
  monitoringChannelTestPermission,
  monitoringMetricsReadPermission,
  monitoringProbeScriptPermission,
  monitoringRuleManagePermission,
  monitoringSdReadPermission,
  monitoringSilenceManagePermission,
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

// Monitoring's block of the grant table (docs/permissions.md): service
// discovery and the Alertmanager webhook are for static tokens, no person.
// prettier-ignore
const matrix: Array<[Permission, Record<string, AuthorizeResult>]> = [
  [monitoringSdReadPermission,       { alice: ALLOW, bob: DENY,  carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [monitoringAlertReceivePermission, { alice: ALLOW, bob: DENY,  carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [monitoringAlertReadPermission,    { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: DENY,  mallory: DENY }],
  [monitoringChannelTestPermission,  { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [monitoringRuleManagePermission,   { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  // script probes run code on hosts: ops (and admins) only
  [monitoringProbeScriptPermission,  { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  [monitoringMetricsReadPermission,   { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: ALLOW, mallory: DENY }],
  [monitoringSilenceManagePermission, { alice: ALLOW, bob: ALLOW, carol: DENY,  dave: DENY,  erin: DENY,  mallory: DENY }],
  // also: a member of the alert's owner group, or rule.manage (checked by the monitoring backend)
  [monitoringAlertAcknowledgePermission, { alice: ALLOW, bob: ALLOW, carol: ALLOW, dave: ALLOW, erin: DENY, mallory: DENY }],
];

describe('monitoring grants', () => {
  it.each(matrix)('%s', async (permission, expected) => {
    for (const [user, result] of Object.entries(expected)) {
      expect([user, await decide(user, permission)]).toEqual([user, result]);
    }
  });
});
